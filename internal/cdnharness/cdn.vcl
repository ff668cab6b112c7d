# cdn.vcl: Varnish as the CDN in front of a Cairn origin (an object store's
# HTTP endpoint, or any origin that serves published rulesets). Used by
# scripts/cdn.sh and by internal/cdnharness; the @@NAME@@ placeholders are
# filled in by both.
#
# What it does, and why:
# - caches for the origin's Cache-Control max-age, and serves stale for its
#   stale-while-revalidate (Varnish turns that into grace) while one
#   background fetch revalidates: SDKs never wait for the origin;
# - keeps expired objects (beresp.keep) so that the revalidation is a
#   conditional GET with If-None-Match and an unchanged ruleset costs the
#   origin a 304;
# - answers SDKs' own If-None-Match from cache (Varnish does this itself);
# - keeps serving the stale object when a background fetch fails or the
#   origin answers 5xx, and caches no errors for long;
# - accepts PURGE (one URL) and BAN (X-Ban-Url regex) from 127.0.0.1 only;
# - hashes the URL only: one origin, whatever Host the SDKs used.
vcl 4.1;

backend origin {
	.host = "@@BACKEND_HOST@@";
	.port = "@@BACKEND_PORT@@";
	.connect_timeout = 1s;
	.first_byte_timeout = @@FETCH_TIMEOUT@@;
	.between_bytes_timeout = @@FETCH_TIMEOUT@@;
}

acl purgers {
	"127.0.0.1";
}

sub vcl_recv {
	if (req.method == "PURGE") {
		if (client.ip !~ purgers) {
			return (synth(405, "PURGE not allowed from " + client.ip));
		}
		return (purge);
	}
	if (req.method == "BAN") {
		if (client.ip !~ purgers) {
			return (synth(405, "BAN not allowed from " + client.ip));
		}
		if (!req.http.X-Ban-Url) {
			return (synth(400, "BAN needs X-Ban-Url"));
		}
		ban("obj.http.X-Url ~ " + req.http.X-Ban-Url);
		return (synth(200, "Banned"));
	}
	if (req.method != "GET" && req.method != "HEAD") {
		return (synth(405, "Method not allowed"));
	}
	# Rulesets are public; cookies would only split the cache.
	unset req.http.Cookie;
	return (hash);
}

sub vcl_hash {
	hash_data(req.url);
	return (lookup);
}

sub vcl_backend_fetch {
	# Object stores route path-style requests by Host (fake-gcs-server only
	# answers for its public host).
	set bereq.http.Host = "@@ORIGIN_HOST@@";
	# Revalidate by ETag alone. Last-Modified has one-second resolution, and
	# MinIO answers If-Modified-Since with 304 even when If-None-Match names
	# an older ETag: a ruleset published in the same second as the one the
	# cache holds stayed hidden until the next publish.
	unset bereq.http.If-Modified-Since;
}

sub vcl_backend_response {
	# For lurker-friendly bans (the ban lurker tests obj, not req).
	set beresp.http.X-Url = bereq.url;
	if (beresp.status >= 500 && bereq.is_bgfetch) {
		# Keep serving the stale copy within grace.
		return (abandon);
	}
	if (beresp.status != 200) {
		# A 404 or 5xx is cached for one second at most: enough to absorb a
		# stampede, short enough to recover at once.
		set beresp.ttl = 1s;
		set beresp.grace = 0s;
		set beresp.keep = 0s;
		return (deliver);
	}
	set beresp.keep = 1h;
	return (deliver);
}

sub vcl_backend_error {
	if (bereq.is_bgfetch) {
		return (abandon);
	}
	set beresp.ttl = 0s;
	set beresp.grace = 0s;
	return (deliver);
}

sub vcl_deliver {
	unset resp.http.X-Url;
	if (obj.hits > 0) {
		set resp.http.X-Cache = "HIT";
	} else {
		set resp.http.X-Cache = "MISS";
	}
}
