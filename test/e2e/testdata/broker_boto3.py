#!/usr/bin/env python3
"""boto3 client of the broker end-to-end tests (test/e2e/broker_*_test.go).

Usage:
  broker_boto3.py calls ENDPOINT [PROFILE]
      One round of calls with boto3.Session(profile_name=PROFILE) (the
      default credential chain when PROFILE is absent or "-"): STS
      GetCallerIdentity, IAM ListUsers, EC2 DescribeRegions.
  broker_boto3.py loop ENDPOINT SECONDS
      A long-running job: STS GetCallerIdentity over and over for SECONDS
      with the default credential chain, counting calls, failures and the
      distinct access keys the SDK used (it refreshes them itself).

Prints one JSON object on stdout. Never prints a secret key or a session
token: only access key IDs' count and the credential provider's name.
Every client makes exactly one attempt per call (no retries), so a failure
is seen, not hidden.
"""

import json
import sys
import time

import boto3
import botocore.exceptions
from botocore.config import Config

CFG = Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=15,
             region_name="us-east-1")


def describe(exc):
    """A failure as {"code", "message"}, without secrets."""
    if isinstance(exc, botocore.exceptions.ClientError):
        err = exc.response.get("Error", {})
        return {"code": err.get("Code", ""), "message": err.get("Message", "")}
    return {"code": type(exc).__name__, "message": str(exc)}


def calls(endpoint, profile):
    session = boto3.Session(profile_name=None if profile in (None, "-") else profile)
    out = {"steps": {}}

    def step(name, fn):
        try:
            out["steps"][name] = {"ok": True, "result": fn()}
        except Exception as exc:  # noqa: BLE001 - reported to the Go test
            out["steps"][name] = {"ok": False, **describe(exc)}

    sts = session.client("sts", endpoint_url=endpoint, config=CFG)
    step("sts:GetCallerIdentity", lambda: sts.get_caller_identity()["Arn"])
    iam = session.client("iam", endpoint_url=endpoint, config=CFG)
    step("iam:ListUsers", lambda: sorted(u["UserName"] for u in iam.list_users()["Users"]))
    ec2 = session.client("ec2", endpoint_url=endpoint, config=CFG)
    step("ec2:DescribeRegions", lambda: len(ec2.describe_regions()["Regions"]))
    creds = session.get_credentials()
    out["method"] = creds.method if creds is not None else None
    if creds is not None:
        out["accessKeyPrefix"] = creds.get_frozen_credentials().access_key[:4]
    return out


def loop(endpoint, seconds):
    session = boto3.Session()
    sts = session.client("sts", endpoint_url=endpoint, config=CFG)
    creds = session.get_credentials()
    keys, arns = set(), set()
    n, failures = 0, []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        n += 1
        try:
            arns.add(sts.get_caller_identity()["Arn"].rsplit("/", 1)[0])
        except Exception as exc:  # noqa: BLE001 - reported to the Go test
            if len(failures) < 10:
                failures.append({"after": round(seconds - (deadline - time.monotonic()), 2), **describe(exc)})
            else:
                failures.append({})
        keys.add(creds.get_frozen_credentials().access_key)
        time.sleep(0.05)
    return {"calls": n, "failures": len(failures), "firstFailures": [f for f in failures if f][:10],
            "distinctKeys": len(keys), "callers": sorted(arns), "method": creds.method}


def main():
    mode, endpoint = sys.argv[1], sys.argv[2]
    if mode == "calls":
        out = calls(endpoint, sys.argv[3] if len(sys.argv) > 3 else None)
    elif mode == "loop":
        out = loop(endpoint, float(sys.argv[3]))
    else:
        sys.exit("unknown mode %r" % mode)
    print(json.dumps(out, sort_keys=True))


if __name__ == "__main__":
    main()
