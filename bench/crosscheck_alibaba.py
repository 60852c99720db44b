#!/usr/bin/env python3
"""Cross-checks the alibaba-aiccs adapter's V3 (ACS3-HMAC-SHA256) and V2 (RPC HMAC-SHA1) signatures
against Alibaba's own Python SDK code (alibabacloud-openapi-util, aliyun-python-sdk-core) on random
inputs. A disagreement is a bug in callscope until shown otherwise.

Usage: bench/crosscheck_alibaba.py [N] [--binary PATH]   (installs the two SDK packages if missing)
"""
import hashlib
import json
import os
import random
import string
import subprocess
import sys
import tempfile
import types

try:
    from alibabacloud_openapi_util.client import Client as OpenApiUtil
    import aliyunsdkcore  # noqa: F401  (installed for its signer, checked below)
    from aliyunsdkcore.auth.algorithm import sha_hmac1
except ImportError:
    subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", "alibabacloud-openapi-util", "aliyun-python-sdk-core"])
    from alibabacloud_openapi_util.client import Client as OpenApiUtil
    from aliyunsdkcore.auth.algorithm import sha_hmac1

N = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 300
BINARY = sys.argv[sys.argv.index("--binary") + 1] if "--binary" in sys.argv else ".build/debug/callscope"
rng = random.Random(20261121)
VALUE_CHARS = string.ascii_letters + string.digits + " *~/+=&:.-_%?#'\"" + "牛小信😀é"


def rand_value(n=None):
    return "".join(rng.choice(VALUE_CHARS) for _ in range(n if n is not None else rng.randint(0, 24)))


def rand_key():
    key = rng.choice(string.ascii_uppercase) + "".join(rng.choice(string.ascii_letters) for _ in range(rng.randint(2, 10)))
    return key + (f".{rng.randint(1, 3)}.Value" if rng.random() < 0.2 else "")


def rand_date():
    return f"20{rng.randint(16, 30)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}Z"


def shell_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"


cases = []
for i in range(N):
    style = "v3" if i % 2 == 0 else "v2"
    case = {
        "style": style,
        "id": "LTAI" + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(16)),
        "secret": "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(30)),
        "action": rand_key(), "version": f"20{rng.randint(14, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "date": rand_date(), "nonce": "".join(rng.choice("0123456789abcdef") for _ in range(32)),
        "method": rng.choice(["GET", "POST"]),
        "query": {rand_key(): rand_value() for _ in range(rng.randint(0, 4))},
        "body": "" if style == "v2" or rng.random() < 0.3 else json.dumps({"k": rand_value(), "n": rng.randint(0, 10**12)}, ensure_ascii=rng.random() < 0.5),
        "host": rng.choice(["aiccs.aliyuncs.com", "ecs.cn-shanghai.aliyuncs.com"]),
    }
    cases.append(case)

# Every case as one `sign` command of a script; --json prints one document each.
lines = []
for c in cases:
    parts = ["sign", "alibaba-aiccs", "--json", "--method", c["method"], "--cred", "accessKeyId=" + c["id"],
             "--cred", "accessKeySecret=" + c["secret"], "--pin", "action=" + c["action"], "--pin", "version=" + c["version"],
             "--date", c["date"], "--nonce", c["nonce"], "--pin", "host=" + c["host"], "--pin", "style=" + c["style"]]
    for k, v in c["query"].items():
        parts += ["--query", f"{k}={v}"]
    line = " ".join(shell_quote(p) for p in parts)
    if c["body"]:
        line += " @" + c.setdefault("body_file", tempfile.mktemp(suffix=".json"))
        with open(c["body_file"], "w", encoding="utf-8") as f:
            f.write(c["body"])
    lines.append(line)
with tempfile.NamedTemporaryFile("w", suffix=".cs", delete=False, encoding="utf-8") as script:
    script.write("\n".join(lines) + "\n")
out = subprocess.run([BINARY, "-f", script.name], capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"})
if out.returncode != 0:
    sys.exit(f"callscope failed: {out.stderr}")
decoder, docs, pos = json.JSONDecoder(), [], 0
while pos < len(out.stdout):
    while pos < len(out.stdout) and out.stdout[pos].isspace():
        pos += 1
    if pos >= len(out.stdout):
        break
    doc, pos = decoder.raw_decode(out.stdout, pos)
    docs.append(doc)
assert len(docs) == len(cases), f"{len(docs)} outputs for {len(cases)} cases"

failures = 0
for c, doc in zip(cases, docs):
    if c["style"] == "v3":
        payload = hashlib.sha256(c["body"].encode()).hexdigest()
        headers = {"host": c["host"], "x-acs-action": c["action"], "x-acs-version": c["version"], "x-acs-date": c["date"],
                   "x-acs-signature-nonce": c["nonce"], "x-acs-content-sha256": payload}
        if c["body"]:
            headers["content-type"] = "application/json"
        request = types.SimpleNamespace(pathname="/", query=dict(c["query"]), headers=headers, method=c["method"])
        expected = OpenApiUtil.get_authorization(request, "ACS3-HMAC-SHA256", payload, c["id"], c["secret"])
        actual = doc["headers"].get("Authorization")
    else:
        params = dict(c["query"])
        params.update({"Action": c["action"], "Version": c["version"], "Format": "JSON", "AccessKeyId": c["id"],
                       "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0", "SignatureNonce": c["nonce"], "Timestamp": c["date"]})
        expected = OpenApiUtil.get_rpcsignature(params, c["method"], c["secret"])
        # aliyun-python-sdk-core's HMAC-SHA1 signer over the same string gives the same answer.
        assert expected == sha_hmac1.get_sign_string(
            f'{c["method"]}&%2F&' + __import__("urllib.parse").parse.quote(
                "&".join(f'{__import__("urllib.parse").parse.quote(k, safe="~")}={__import__("urllib.parse").parse.quote(params[k], safe="~")}'
                         for k in sorted(params)), safe="~"), c["secret"] + "&")
        actual = doc["query"].get("Signature")
    if actual != expected:
        failures += 1
        if failures <= 5:
            print(f"MISMATCH ({c['style']}): expected {expected}\n  got {actual}\n  case {json.dumps(c, ensure_ascii=False)}")
for c in cases:
    if c.get("body_file"):
        os.unlink(c["body_file"])
os.unlink(script.name)
v3 = sum(1 for c in cases if c["style"] == "v3")
print(f"alibaba cross-check: {N - failures} passed, {failures} failed ({v3} V3, {N - v3} V2 random cases)")
sys.exit(1 if failures else 0)
