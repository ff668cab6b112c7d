package cli

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/cairnflags/cairn/ruleset"
	"github.com/cairnflags/cairn/ruleset/envelope"
)

type verifyOptions struct {
	Source     string
	Keys       []string
	DecryptKey string
	Env        string
	Output     string
}

func newVerifyCmd(e Env, runF func(*verifyOptions) error) *cobra.Command {
	opts := &verifyOptions{}
	cmd := &cobra.Command{
		Use:   "verify URL|FILE [--key PUBFILE]... [--decrypt-key FILE] [--env ENV]",
		Short: "Check a published ruleset's signature and show what is inside",
		Long: `Fetch a published ruleset (an http(s) URL or a file), check its signature
against the public keys given with --key (each file may hold several, as
during a rotation), decrypt it with --decrypt-key (or CAIRN_ENCRYPT_KEY)
when it is encrypted, load it as an SDK would, and show its environment,
version, publish time, source, and the key that signed it.

With --key, a ruleset that is unsigned or not signed by one of the keys
fails with exit status 3, as it would be rejected by an SDK configured
with those keys. Without --key the signature is shown but not checked.`,
		Example: `  cairn verify https://flags.example.com/production/ruleset.json --key ci-2026.pub
  cairn verify site/production/versions/42.json --key old.pub --key new.pub --env production`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Source = args[0]
			if runF != nil {
				return runF(opts)
			}
			return runVerify(e, opts, cmd)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&opts.Keys, "key", nil, "trusted public key file (repeatable)")
	f.StringVar(&opts.DecryptKey, "decrypt-key", "", "AES-256 key file to decrypt an encrypted ruleset (or set "+envEncryptKey+")")
	f.StringVar(&opts.Env, "env", "", "fail unless the ruleset is for this environment")
	addOutputFlag(cmd, &opts.Output)
	return cmd
}

// verifyResult is verify's output.
type verifyResult struct {
	Source      string         `json:"source"`
	Environment string         `json:"environment"`
	Version     int64          `json:"version"`
	PublishedAt time.Time      `json:"published_at,omitzero"`
	Flags       int            `json:"flags"`
	Segments    int            `json:"segments"`
	RuleSource  ruleset.Source `json:"ruleset_source"`
	Signed      bool           `json:"signed"`
	Verified    bool           `json:"verified"`
	KeyID       string         `json:"key_id,omitempty"`
	KeyIDs      []string       `json:"key_ids,omitempty"`
	Encrypted   bool           `json:"encrypted"`
	EncKeyID    string         `json:"encryption_key_id,omitempty"`
}

func runVerify(e Env, opts *verifyOptions, cmd *cobra.Command) error {
	var uo envelope.Options
	for _, path := range opts.Keys {
		data, err := os.ReadFile(path)
		if err != nil {
			return usagef("--key: %v", err)
		}
		keys, err := envelope.ParsePublicKeys(data)
		if err != nil {
			return usagef("--key %s: %v", path, err)
		}
		uo.TrustedKeys = append(uo.TrustedKeys, keys...)
	}
	dk, err := decryptionKey(e, opts.DecryptKey)
	if err != nil {
		return err
	}
	uo.DecryptionKey = dk
	data, err := readRuleset(cmd.Context(), opts.Source)
	if err != nil {
		return err
	}
	rs, info, err := openRuleset(opts.Source, data, uo)
	if err != nil {
		return err
	}
	if opts.Env != "" && rs.Environment() != opts.Env {
		return &invalidError{fmt.Errorf("%s is the ruleset of %s, not %s", opts.Source, rs.Environment(), opts.Env)}
	}
	res := verifyResult{
		Source: opts.Source, Environment: rs.Environment(), Version: rs.Version(), PublishedAt: rs.PublishedAt(),
		// Flags counts those this version can evaluate, as the SDK does.
		Flags: len(rs.FlagKeys()) - len(rs.Quarantined()), Segments: len(rs.SegmentKeys()), RuleSource: rs.Source(),
		Signed: info.Signed, Verified: info.Verified, KeyID: info.KeyID, KeyIDs: info.KeyIDs,
		Encrypted: info.Encrypted, EncKeyID: info.EncryptionKeyID,
	}
	out := cmd.OutOrStdout()
	if opts.Output == formatJSON {
		return writeJSON(out, res)
	}
	writeVerifyText(out, res)
	return nil
}

// openRuleset unpacks, decrypts and loads a published ruleset the way an
// SDK does, including the check that an encrypted ruleset's clear header
// agrees with its content.
func openRuleset(name string, data []byte, uo envelope.Options) (*ruleset.Ruleset, envelope.Info, error) {
	payload, info, err := envelope.Unpack(data, uo)
	if err != nil {
		return nil, info, &invalidError{fmt.Errorf("%s: %w", name, err)}
	}
	rs, err := ruleset.LoadNamed(name, payload)
	if err != nil {
		return nil, info, err
	}
	if info.Encrypted && (rs.Environment() != info.Environment || rs.Version() != info.Version) {
		return nil, info, &invalidError{fmt.Errorf("%s: encrypted as %s version %d but holds %s version %d",
			name, info.Environment, info.Version, rs.Environment(), rs.Version())}
	}
	return rs, info, nil
}

// unwrapRuleset takes a published ruleset out of its envelope (without
// verifying: use cairn verify for that) and decrypts it with
// CAIRN_ENCRYPT_KEY, for commands that read rulesets.
func unwrapRuleset(e Env, name string, data []byte) ([]byte, error) {
	if !envelope.IsEnvelope(data) && !envelope.IsEncrypted(data) {
		return data, nil
	}
	dk, err := decryptionKey(e, "")
	if err != nil {
		return nil, err
	}
	payload, _, err := envelope.Unpack(data, envelope.Options{DecryptionKey: dk})
	if err != nil {
		return nil, &invalidError{fmt.Errorf("%s: %w", name, err)}
	}
	return payload, nil
}

func decryptionKey(e Env, path string) (*envelope.EncryptionKey, error) {
	data, src, err := keyMaterial(e, path, envEncryptKey)
	if err != nil || data == nil {
		return nil, err
	}
	k, err := envelope.ParseEncryptionKey(data)
	if err != nil {
		return nil, usagef("encryption key from %s: %v", src, err)
	}
	return &k, nil
}

func writeVerifyText(w io.Writer, r verifyResult) {
	fmt.Fprintf(w, "%s\n", r.Source)
	fmt.Fprintf(w, "  environment: %s\n  version:     %d\n", r.Environment, r.Version)
	if !r.PublishedAt.IsZero() {
		fmt.Fprintf(w, "  published:   %s\n", r.PublishedAt.Format(time.RFC3339))
	}
	fmt.Fprintf(w, "  source:      %s", r.RuleSource.Kind)
	if r.RuleSource.Author != "" {
		fmt.Fprintf(w, " by %s", r.RuleSource.Author)
	}
	if r.RuleSource.Commit != "" {
		fmt.Fprintf(w, " at %s", r.RuleSource.Commit)
	}
	fmt.Fprintf(w, "\n  content:     %d flags, %d segments\n", r.Flags, r.Segments)
	switch {
	case r.Verified:
		fmt.Fprintf(w, "  signature:   valid, key %s\n", r.KeyID)
	case r.Signed:
		fmt.Fprintf(w, "  signature:   NOT CHECKED (no --key), claims key %v\n", r.KeyIDs)
	default:
		fmt.Fprintf(w, "  signature:   none\n")
	}
	if r.Encrypted {
		fmt.Fprintf(w, "  encrypted:   yes, key %s\n", r.EncKeyID)
	} else {
		fmt.Fprintf(w, "  encrypted:   no\n")
	}
}
