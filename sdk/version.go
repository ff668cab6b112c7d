package sdk

// Version is this SDK's version. It is sent in every request's User-Agent
// (cairn-go-sdk/<Version>) so that CDN and bucket logs show which SDKs poll.
const Version = "0.1.0"

const userAgent = "cairn-go-sdk/" + Version
