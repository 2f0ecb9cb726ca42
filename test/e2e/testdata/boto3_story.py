#!/usr/bin/env python3
"""Plays the seeds' story against the awsmfa lab with boto3.

Usage: boto3_story.py FIXTURE.json

FIXTURE.json (written by the Go test, mode 0600) holds the lab endpoint, the
AWS config directory written by `awsmfa lab init`, and the users' access keys
and MFA seeds. Prints one JSON object per step on stdout:
  {"step": NAME, "ok": true, "result": {...}}
  {"step": NAME, "ok": false, "code": "AccessDenied", "status": 403, "message": "..."}
Secrets and session tokens are never printed.
"""

import base64
import hashlib
import hmac
import json
import os
import struct
import sys
import time

import boto3
import botocore.exceptions
from botocore.config import Config


def totp(seed_b32, t=None):
    """RFC 6238 (SHA1, 30 s, 6 digits), independent of the lab's Go code."""
    seed_b32 = seed_b32.strip().replace(" ", "").upper()
    seed_b32 += "=" * (-len(seed_b32) % 8)
    key = base64.b32decode(seed_b32)
    counter = int((time.time() if t is None else t) // 30)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF
    return "%06d" % (value % 1000000)


def main():
    with open(sys.argv[1]) as f:
        fx = json.load(f)
    endpoint = fx["endpoint"]
    users = {u["name"]: u for u in fx["users"]}
    cfg = Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=10)

    def client(service, creds):
        return boto3.client(
            service,
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds.get("SessionToken"),
            config=cfg,
        )

    def keys(name):
        u = users[name]
        return {"AccessKeyId": u["accessKeyId"], "SecretAccessKey": u["secretAccessKey"]}

    def emit(step, fn):
        try:
            result = fn()
            print(json.dumps({"step": step, "ok": True, "result": result}), flush=True)
            return result
        except botocore.exceptions.ClientError as e:
            err = e.response.get("Error", {})
            print(json.dumps({
                "step": step, "ok": False, "code": err.get("Code", ""),
                "message": err.get("Message", ""),
                "status": e.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0),
            }), flush=True)
            return None

    def describe_regions(creds):
        r = client("ec2", creds).describe_regions()
        return {"regions": len(r.get("Regions", []))}

    def caller(creds):
        r = client("sts", creds).get_caller_identity()
        return {"arn": r["Arn"], "account": r["Account"]}

    # Seed 000: long-term keys slip past the Bool deny.
    emit("alice-keys-describe-regions", lambda: describe_regions(keys("alice")))
    # Seed 004: BoolIfExists denies long-term keys.
    emit("bob-keys-describe-regions", lambda: describe_regions(keys("bob")))
    bob = users["bob"]
    code = totp(bob["mfaSeed"])
    session = {}

    def gst():
        r = client("sts", keys("bob")).get_session_token(SerialNumber=bob["mfaSerial"], TokenCode=code, DurationSeconds=900)
        session.update(r["Credentials"])
        return {"accessKeyIdPrefix": r["Credentials"]["AccessKeyId"][:4]}

    emit("bob-get-session-token-mfa", gst)
    if session:
        emit("bob-session-describe-regions", lambda: describe_regions(session))
        emit("bob-session-caller", lambda: caller(session))
    # The same code again: refused.
    emit("bob-get-session-token-reused-code", lambda: client("sts", keys("bob")).get_session_token(
        SerialNumber=bob["mfaSerial"], TokenCode=code) and {})
    # A wrong code.
    wrong = "%06d" % ((int(totp(bob["mfaSeed"])) + 500000) % 1000000)
    emit("bob-get-session-token-wrong-code", lambda: client("sts", keys("bob")).get_session_token(
        SerialNumber=bob["mfaSerial"], TokenCode=wrong) and {})

    # Presigned URLs (SigV4 query authentication), fetched with a plain GET.
    # Signed for GET they work; botocore's default signs the operation's
    # method (POST), which AWS refuses for a GET too (boto/boto3#756).
    def presigned(http_method):
        import urllib.error
        import urllib.request
        kwargs = {"HttpMethod": http_method} if http_method else {}
        url = client("sts", keys("alice")).generate_presigned_url("get_caller_identity", ExpiresIn=60, **kwargs)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(url, timeout=10) as r:
                body = r.read().decode()
                status = r.status
        except urllib.error.HTTPError as e:
            body, status = e.read().decode(), e.code
        return {"status": status, "hasArn": "<Arn>" + users["alice"]["arn"] + "</Arn>" in body,
                "signatureMismatch": "<Code>SignatureDoesNotMatch</Code>" in body, "queryAuth": "X-Amz-Signature=" in url}

    emit("alice-presigned-get", lambda: presigned("GET"))
    emit("alice-presigned-default-post", lambda: presigned(None))

    # Seeds 002/003: the role's trust policy requires MFA.
    role_arn = fx["roleArn"]
    emit("anika-assume-role-no-mfa", lambda: client("sts", keys("anika")).assume_role(
        RoleArn=role_arn, RoleSessionName="boto3-no-mfa") and {})

    # The role profile with mfa_serial, through boto3's own assume-role
    # provider, whose MFA prompt is answered with the current code.
    os.environ["AWS_CONFIG_FILE"] = os.path.join(fx["configDir"], "config")
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.path.join(fx["configDir"], "credentials")
    prompts = []

    def prompter(prompt):
        prompts.append(prompt)
        return totp(users["anika"]["mfaSeed"])

    sess = boto3.Session(profile_name="role-with-mfa")
    provider = sess._session.get_component("credential_provider").get_provider("assume-role")
    provider._prompter = prompter

    def role_calls():
        sts = sess.client("sts", endpoint_url=endpoint, config=cfg)
        ident = sts.get_caller_identity()
        iam = sess.client("iam", endpoint_url=endpoint, config=cfg)
        users_listed = [u["UserName"] for u in iam.list_users()["Users"]]
        return {"arn": ident["Arn"], "users": sorted(users_listed), "prompts": prompts}

    emit("anika-role-with-mfa-profile", role_calls)


if __name__ == "__main__":
    main()
