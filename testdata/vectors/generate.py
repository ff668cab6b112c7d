#!/usr/bin/env python3
"""Writes the shared evaluation test vectors (testdata/vectors/*.json).

The expected results are worked out here, independently of the Go code:
conditions by hand, and split buckets with the small MurmurHash3 x86_32
below, so the vectors check the Go evaluator rather than echo it. Run it
from the repository root: python3 testdata/vectors/generate.py
"""
import json
import os

BUCKETS = 10000


def murmur3_32(data: bytes, seed: int = 0) -> int:
    c1, c2 = 0xCC9E2D51, 0x1B873593
    h = seed
    n = len(data) // 4 * 4
    for i in range(0, n, 4):
        k = int.from_bytes(data[i:i + 4], "little")
        k = (k * c1) & 0xFFFFFFFF
        k = ((k << 15) | (k >> 17)) & 0xFFFFFFFF
        k = (k * c2) & 0xFFFFFFFF
        h ^= k
        h = ((h << 13) | (h >> 19)) & 0xFFFFFFFF
        h = (h * 5 + 0xE6546B64) & 0xFFFFFFFF
    tail = data[n:]
    k = 0
    if len(tail) >= 3:
        k ^= tail[2] << 16
    if len(tail) >= 2:
        k ^= tail[1] << 8
    if len(tail) >= 1:
        k ^= tail[0]
        k = (k * c1) & 0xFFFFFFFF
        k = ((k << 15) | (k >> 17)) & 0xFFFFFFFF
        k = (k * c2) & 0xFFFFFFFF
        h ^= k
    h ^= len(data)
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & 0xFFFFFFFF
    h ^= h >> 16
    return h


def bucket(salt: str, value: str) -> int:
    return murmur3_32((salt + "/" + value).encode()) % BUCKETS


BOOL = [{"key": "on", "value": True}, {"key": "off", "value": False}]


def flag(key, *, type_="boolean", variations=None, enabled=True, off="off",
         rules=None, default=None, salt=None, **extra):
    f = {
        "key": key, "type": type_, "variations": variations or BOOL,
        "enabled": enabled, "off_variation": off, "salt": salt or key,
        "default": default or {"variation": "off"},
    }
    if rules:
        f["rules"] = rules
    f.update(extra)
    return f


def cond(attr, op, *values):
    c = {"attribute": attr, "op": op}
    if values:
        c["values"] = list(values)
    return c


def rule(name, conds, variation="on"):
    return {"name": name, "conditions": conds, "serve": {"variation": variation}}


def doc(flags, segments=None, schema=1):
    return {
        "schema": schema, "environment": "production", "version": 7,
        "published_at": "2026-11-01T00:00:00Z",
        "source": {"kind": "git", "commit": "0123456789abcdef"},
        "flags": {f["key"]: f for f in flags},
        "segments": segments or {},
    }


def case(name, flag_key, key, attrs=None, *, value, variation, reason,
         rule_index=-1, now="2026-11-22T12:00:00Z", want_type=None):
    c = {"name": name, "flag": flag_key,
         "context": {"key": key, "attributes": attrs or {}}, "now": now,
         "expect": {"value": value, "variation": variation, "reason": reason,
                    "rule_index": rule_index}}
    if want_type:
        c["type"] = want_type
    return c


def hit(name, flag_key, attrs, key="u1", rule_index=0):
    return case(name, flag_key, key, attrs, value=True, variation="on",
                reason="TARGET_MATCH", rule_index=rule_index)


def miss(name, flag_key, attrs, key="u1"):
    return case(name, flag_key, key, attrs, value=False, variation="off",
                reason="DEFAULT")


def operators():
    """One flag per operator; each case either matches rule 0 or falls to the default."""
    ops = [
        ("eq-string", cond("country", "eq", "NL"),
         [({"country": "NL"}, True), ({"country": "nl"}, False), ({"country": "BE"}, False),
          ({"country": 1}, False), ({}, False), ({"country": ["BE", "NL"]}, True)]),
        ("eq-number", cond("age", "eq", 42),
         [({"age": 42}, True), ({"age": 42.0}, True), ({"age": 41}, False), ({"age": "42"}, False)]),
        ("eq-bool", cond("beta", "eq", True),
         [({"beta": True}, True), ({"beta": False}, False), ({"beta": "true"}, False)]),
        ("neq", cond("country", "neq", "NL"),
         [({"country": "NL"}, False), ({"country": "BE"}, True), ({}, False), ({"country": 5}, True)]),
        ("in", cond("country", "in", "NL", "BE", "DE", "FR", "LU"),
         [({"country": "NL"}, True), ({"country": "LU"}, True), ({"country": "US"}, False), ({}, False),
          ({"country": ["US", "FR"]}, True), ({"country": []}, False)]),
        ("in-large", cond("plan", "in", *[f"p{i}" for i in range(20)]),
         [({"plan": "p0"}, True), ({"plan": "p19"}, True), ({"plan": "p20"}, False)]),
        ("in-mixed", cond("tier", "in", "gold", 3, True),
         [({"tier": "gold"}, True), ({"tier": 3}, True), ({"tier": True}, True), ({"tier": "3"}, False),
          ({"tier": False}, False)]),
        ("not-in", cond("country", "not_in", "NL", "BE"),
         [({"country": "NL"}, False), ({"country": "US"}, True), ({}, False)]),
        ("contains", cond("email", "contains", "@acme"),
         [({"email": "jo@acme.example"}, True), ({"email": "jo@example.com"}, False), ({"email": 7}, False)]),
        ("starts-with", cond("path", "starts_with", "/api/", "/v2/"),
         [({"path": "/api/users"}, True), ({"path": "/v2/x"}, True), ({"path": "/web"}, False)]),
        ("ends-with", cond("email", "ends_with", "@acme.example"),
         [({"email": "jo@acme.example"}, True), ({"email": "jo@acme.example.org"}, False), ({}, False)]),
        ("matches", cond("ua", "matches", "^Mozilla/5\\.0 .*Firefox/(1[2-9][0-9])"),
         [({"ua": "Mozilla/5.0 (X11) Firefox/128.0"}, True), ({"ua": "Mozilla/5.0 (X11) Firefox/99.0"}, False),
          ({"ua": 5}, False)]),
        ("lt", cond("age", "lt", 18),
         [({"age": 17}, True), ({"age": 18}, False), ({"age": 17.999}, True), ({"age": "17"}, False)]),
        ("lte", cond("age", "lte", 18),
         [({"age": 18}, True), ({"age": 18.001}, False), ({"age": -5}, True)]),
        ("gt", cond("orders", "gt", 10),
         [({"orders": 11}, True), ({"orders": 10}, False), ({"orders": 1e9}, True)]),
        ("gte", cond("orders", "gte", 10),
         [({"orders": 10}, True), ({"orders": 9.5}, False), ({"orders": True}, False)]),
        ("semver-eq", cond("app_version", "semver_eq", "4.2.0"),
         [({"app_version": "4.2.0"}, True), ({"app_version": "v4.2.0"}, True), ({"app_version": "4.2.1"}, False),
          ({"app_version": "not a version"}, False)]),
        ("semver-lt", cond("app_version", "semver_lt", "4.10.0"),
         [({"app_version": "4.9.9"}, True), ({"app_version": "4.10.0"}, False),
          ({"app_version": "4.10.0-beta.1"}, True), ({"app_version": 4}, False)]),
        ("semver-lte", cond("app_version", "semver_lte", "2.0.0"),
         [({"app_version": "2.0.0"}, True), ({"app_version": "2.0.1"}, False)]),
        ("semver-gt", cond("app_version", "semver_gt", "1.2.3"),
         [({"app_version": "1.10.0"}, True), ({"app_version": "1.2.3"}, False), ({"app_version": "1.2.3-rc.1"}, False)]),
        ("semver-gte", cond("app_version", "semver_gte", "1.2.3"),
         [({"app_version": "1.2.3"}, True), ({"app_version": "1.2.2"}, False)]),
        ("before", cond("signup", "before", "2026-01-01"),
         [({"signup": "2025-12-31T23:59:59Z"}, True), ({"signup": "2026-01-01"}, False),
          ({"signup": 1735689600}, True), ({"signup": "yesterday"}, False)]),
        ("after", cond("signup", "after", "2026-01-01T00:00:00Z"),
         [({"signup": "2026-01-01T00:00:01Z"}, True), ({"signup": "2026-01-01T00:00:00Z"}, False),
          ({"signup": 1798761600}, True), ({"signup": True}, False)]),
        ("exists", cond("beta_opt_in", "exists"),
         [({"beta_opt_in": False}, True), ({"beta_opt_in": ""}, True), ({}, False)]),
        ("key-attribute", cond("key", "in", "u-admin", "u-ops"),
         [({}, False)]),
    ]
    flags, cases = [], []
    for name, c, checks in ops:
        key = "op-" + name
        flags.append(flag(key, rules=[rule(name, [c])]))
        for i, (attrs, want) in enumerate(checks):
            label = f"{key} #{i} {json.dumps(attrs, sort_keys=True)}"
            cases.append(hit(label, key, attrs) if want else miss(label, key, attrs))
    cases.append(hit("op-key-attribute targeting key matches", "op-key-attribute", {}, key="u-ops"))
    # All conditions of a rule must hold; rules are tried in order.
    flags.append(flag("multi", rules=[
        rule("both", [cond("country", "eq", "NL"), cond("plan", "eq", "pro")]),
        {"name": "second", "conditions": [cond("plan", "eq", "pro")], "serve": {"variation": "off"}},
        rule("third", [cond("plan", "exists")]),
    ], default={"variation": "off"}))
    cases += [
        hit("multi: both conditions hold", "multi", {"country": "NL", "plan": "pro"}),
        case("multi: second rule", "multi", "u1", {"country": "BE", "plan": "pro"}, value=False,
             variation="off", reason="TARGET_MATCH", rule_index=1),
        hit("multi: third rule", "multi", {"plan": "free"}, rule_index=2),
        miss("multi: none", "multi", {"country": "NL"}),
    ]
    return doc(flags), cases


def segments():
    segs = {
        "internal-users": {"key": "internal-users", "included": ["u-vip"], "excluded": ["u-contractor"],
                           "rules": [{"conditions": [cond("email", "ends_with", "@acme.example")]}]},
        "beta-testers": {"key": "beta-testers", "included": ["u-b1", "u-b2"]},
        "eu": {"key": "eu", "rules": [{"conditions": [cond("country", "in", "NL", "BE", "DE")]},
                                      {"conditions": [cond("region", "eq", "eu")]}]},
    }
    flags = [
        flag("seg-internal", rules=[rule("internal", [{"op": "in_segment", "values": ["internal-users"]}])]),
        flag("seg-either", rules=[rule("beta-or-eu", [{"op": "in_segment", "values": ["beta-testers", "eu"]}])]),
        flag("seg-not", rules=[rule("outside-eu", [{"op": "not_in_segment", "values": ["eu"]}])]),
    ]
    cases = [
        hit("segment rule matches", "seg-internal", {"email": "jo@acme.example"}),
        hit("segment included key", "seg-internal", {}, key="u-vip"),
        miss("segment excluded key beats rule", "seg-internal", {"email": "c@acme.example"}, key="u-contractor"),
        miss("segment no match", "seg-internal", {"email": "jo@example.com"}),
        miss("segment missing attribute", "seg-internal", {}),
        hit("either segment: beta key", "seg-either", {}, key="u-b2"),
        hit("either segment: eu by country", "seg-either", {"country": "DE"}),
        hit("either segment: eu by second rule", "seg-either", {"region": "eu"}),
        miss("either segment: neither", "seg-either", {"country": "US"}),
        hit("not in segment: US", "seg-not", {"country": "US"}),
        hit("not in segment: no attributes at all", "seg-not", {}),
        miss("not in segment: NL", "seg-not", {"country": "NL"}),
    ]
    return doc(flags, segs), cases


def typed():
    flags = [
        flag("checkout-color", type_="string",
             variations=[{"key": "blue", "value": "#0000ff"}, {"key": "green", "value": "#00ff00"}],
             off="blue", rules=[rule("nl", [cond("country", "eq", "NL")], "green")], default={"variation": "blue"}),
        flag("max-items", type_="number",
             variations=[{"key": "small", "value": 10}, {"key": "large", "value": 250.5}],
             off="small", default={"variation": "large"}),
        flag("banner", type_="json",
             variations=[{"key": "none", "value": None}, {"key": "sale", "value": {"text": "Sale", "pct": 20}}],
             off="none", default={"variation": "sale"}),
        flag("killed", enabled=False, default={"variation": "on"}),
    ]
    cases = [
        case("string rule", "checkout-color", "u1", {"country": "NL"}, value="#00ff00", variation="green",
             reason="TARGET_MATCH", rule_index=0, want_type="string"),
        case("string default", "checkout-color", "u1", {}, value="#0000ff", variation="blue", reason="DEFAULT",
             want_type="string"),
        case("number default", "max-items", "u1", {}, value=250.5, variation="large", reason="DEFAULT",
             want_type="number"),
        case("json default", "banner", "u1", {}, value={"pct": 20, "text": "Sale"}, variation="sale",
             reason="DEFAULT", want_type="json"),
        case("off flag serves off variation", "killed", "u1", {}, value=False, variation="off", reason="OFF"),
        case("missing flag", "no-such-flag", "u1", {}, value=None, variation="", reason="FLAG_NOT_FOUND"),
        case("bool asked of a string flag", "checkout-color", "u1", {}, value=None, variation="",
             reason="TYPE_MISMATCH", want_type="boolean"),
        case("string asked of a bool flag", "killed", "u1", {}, value=None, variation="",
             reason="TYPE_MISMATCH", want_type="string"),
        case("number asked of a json flag", "banner", "u1", {}, value=None, variation="",
             reason="TYPE_MISMATCH", want_type="number"),
    ]
    return doc(flags), cases


def splits():
    three = [{"key": "a", "value": "a"}, {"key": "b", "value": "b"}, {"key": "c", "value": "c"}]
    flags = [
        flag("rollout-25", default={"split": [{"variation": "on", "weight": 2500}, {"variation": "off", "weight": 7500}]}),
        # Listed in the other order: ranges still follow the variation order.
        flag("rollout-25-reordered", salt="rollout-25",
             default={"split": [{"variation": "off", "weight": 7500}, {"variation": "on", "weight": 2500}]}),
        flag("abc", type_="string", variations=three, off="a",
             default={"split": [{"variation": "a", "weight": 3333}, {"variation": "b", "weight": 3333},
                                {"variation": "c", "weight": 3334}]}),
        flag("by-company", bucket_by="company", default={"split": [{"variation": "on", "weight": 5000},
                                                                  {"variation": "off", "weight": 5000}]}),
        flag("rule-split", rules=[{"name": "beta", "conditions": [cond("beta", "eq", True)],
                                   "serve": {"split": [{"variation": "on", "weight": 9000},
                                                       {"variation": "off", "weight": 1000}]}}]),
    ]
    cases = []

    def split_case(name, fkey, salt, key, ranges, attrs=None, by=None, reason="SPLIT", rule_index=-1):
        b = bucket(salt, by if by is not None else key)
        for end, var, val in ranges:
            if b < end:
                cases.append(case(f"{name} (bucket {b})", fkey, key, attrs, value=val, variation=var,
                                  reason=reason, rule_index=rule_index))
                return

    for i in range(20):
        key = f"user-{i:04d}"
        split_case("rollout-25 " + key, "rollout-25", "rollout-25", key, [(2500, "on", True), (10000, "off", False)])
        split_case("rollout-25-reordered " + key, "rollout-25-reordered", "rollout-25", key,
                   [(2500, "on", True), (10000, "off", False)])
    for i in range(12):
        key = f"acct-{i}"
        split_case("abc " + key, "abc", "abc", key, [(3333, "a", "a"), (6666, "b", "b"), (10000, "c", "c")])
    for company in ["acme", "globex", "initech", "umbrella", "hooli", "stark"]:
        for user in ["u1", "u2"]:
            split_case(f"by-company {company}/{user}", "by-company", "by-company", user,
                       [(5000, "on", True), (10000, "off", False)], attrs={"company": company}, by=company)
    split_case("by-company number attribute", "by-company", "by-company", "u1",
               [(5000, "on", True), (10000, "off", False)], attrs={"company": 42}, by="42")
    split_case("by-company missing attribute falls back to key", "by-company", "by-company", "u-fallback",
               [(5000, "on", True), (10000, "off", False)])
    for i in range(6):
        key = f"beta-{i}"
        split_case("rule-split " + key, "rule-split", "rule-split", key, [(9000, "on", True), (10000, "off", False)],
                   attrs={"beta": True}, reason="TARGET_MATCH", rule_index=0)
    cases.append(miss("rule-split no match", "rule-split", {"beta": False}))
    return doc(flags), cases


def schedules():
    prog = {"variation": "on", "rest": "off", "start": "2026-11-01T00:00:00Z", "end": "2026-11-11T00:00:00Z",
            "from_weight": 0, "to_weight": 10000}
    flags = [
        flag("ramp", default={"progressive": prog}),
        flag("launch", enabled=False, default={"variation": "on"},
             schedule=[{"at": "2026-12-01T09:00:00Z", "enabled": True}, {"at": "2026-12-31T00:00:00Z", "enabled": False}]),
        flag("old-flag", default={"variation": "on"}, expires="2026-06-30T00:00:00Z"),
    ]
    cases = []
    # Before the window nobody, after it everybody; inside, the share grows linearly.
    instants = [("before", "2026-10-01T00:00:00Z", 0), ("at start", "2026-11-01T00:00:00Z", 0),
                ("30%", "2026-11-04T00:00:00Z", 3000), ("50%", "2026-11-06T00:00:00Z", 5000),
                ("90%", "2026-11-10T00:00:00Z", 9000), ("at end", "2026-11-11T00:00:00Z", 10000),
                ("after", "2027-01-01T00:00:00Z", 10000)]
    for label, now, weight in instants:
        for i in range(4):
            key = f"ramp-user-{i}"
            b = bucket("ramp", key)
            on = b < weight
            cases.append(case(f"ramp {label} {key} (bucket {b})", "ramp", key, {}, value=on,
                              variation="on" if on else "off", reason="SPLIT", now=now))
    for label, now, on in [("before", "2026-11-30T00:00:00Z", False), ("at switch", "2026-12-01T09:00:00Z", True),
                           ("inside", "2026-12-15T00:00:00Z", True), ("after", "2027-01-02T00:00:00Z", False)]:
        if on:
            cases.append(case(f"launch {label}", "launch", "u1", {}, value=True, variation="on", reason="DEFAULT", now=now))
        else:
            cases.append(case(f"launch {label}", "launch", "u1", {}, value=False, variation="off", reason="OFF", now=now))
    for label, now in [("before expiry", "2026-06-01T00:00:00Z"), ("after expiry", "2026-07-01T00:00:00Z")]:
        c = case(f"old-flag {label}", "old-flag", "u1", {}, value=True, variation="on", reason="DEFAULT", now=now)
        c["expect"]["expired"] = label.startswith("after")
        cases.append(c)
    return doc(flags), cases


def quarantine():
    flags = [
        flag("healthy", default={"variation": "on"}),
        flag("future-op", rules=[rule("x", [cond("country", "geo_within", "EU")])]),
        flag("future-type", type_="decimal", variations=[{"key": "a", "value": "1.0"}], off="a",
             default={"variation": "a"}),
        flag("future-field", default={"variation": "on"}, sticky_bucketing=True),
    ]
    d = doc(flags, schema=2)
    cases = [
        case("newer schema: healthy flag evaluates", "healthy", "u1", {}, value=True, variation="on", reason="DEFAULT"),
        case("unknown operator quarantines the flag", "future-op", "u1", {}, value=None, variation="", reason="ERROR"),
        case("unknown type quarantines the flag", "future-type", "u1", {}, value=None, variation="", reason="ERROR"),
        case("unknown field quarantines the flag", "future-field", "u1", {}, value=None, variation="", reason="ERROR"),
    ]
    return d, cases


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    total = 0
    for name, fn in [("operators", operators), ("segments", segments), ("types", typed), ("splits", splits),
                     ("schedules", schedules), ("quarantine", quarantine)]:
        ruleset, cases = fn()
        total += len(cases)
        with open(os.path.join(here, name + ".json"), "w") as f:
            json.dump({"name": name, "ruleset": ruleset, "cases": cases}, f, indent=2, sort_keys=True)
            f.write("\n")
    print(f"{total} cases")


if __name__ == "__main__":
    main()
