"""An A2A client that is not ours: the Python a2a-sdk from PyPI (pinned by scripts/setup.sh a2a).

For each agent base URL it fetches the agent card over mutual TLS; for the analysis agent it also
sends one SendMessage with the anomaly as a data part and returns the analysis it gets back.
Prints one JSON document on stdout; exits non-zero with the reason on any failure.

Usage: a2a_client.py --ca CA --cert CERT --key KEY --anomaly FILE [--trace-id HEX] URL...
"""

import argparse
import asyncio
import json
import ssl
import sys
import uuid

import httpx
from a2a.client import A2ACardResolver, ClientConfig, ClientFactory
from a2a.types.a2a_pb2 import SendMessageRequest
from google.protobuf import json_format


async def probe(url: str, http: httpx.AsyncClient, anomaly: dict, trace_id: str) -> dict:
    card = await A2ACardResolver(http, url).get_agent_card()
    found = {
        "url": url,
        "name": card.name,
        "skills": [s.id for s in card.skills],
        "interfaces": [{"url": i.url, "binding": i.protocol_binding, "version": i.protocol_version} for i in card.supported_interfaces],
        "securitySchemes": sorted(card.security_schemes.keys()),
    }
    if "analyse" in found["skills"]:
        client = ClientFactory(ClientConfig(httpx_client=http, streaming=False)).create(card)
        request = json_format.ParseDict(
            {
                "message": {
                    "messageId": str(uuid.uuid4()),
                    "contextId": f"python-client-{uuid.uuid4()}",
                    "role": "ROLE_USER",
                    "parts": [{"data": {"anomaly": anomaly}, "mediaType": "application/json"}],
                    "metadata": {"skill": "analyse", "trace_id": trace_id, "from": "python-a2a-sdk"},
                }
            },
            SendMessageRequest(),
        )
        replies = [json_format.MessageToDict(r) async for r in client.send_message(request)]
        found["replies"] = replies
    return found


async def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--ca", required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--anomaly", required=True)
    p.add_argument("--trace-id", default=uuid.uuid4().hex)
    p.add_argument("urls", nargs="+")
    args = p.parse_args()
    with open(args.anomaly, encoding="utf-8") as f:
        anomaly = json.load(f)
    tls = ssl.create_default_context(cafile=args.ca)
    tls.load_cert_chain(args.cert, args.key)
    async with httpx.AsyncClient(verify=tls, timeout=30) as http:
        agents = [await probe(u, http, anomaly, args.trace_id) for u in args.urls]
    json.dump({"agents": agents}, sys.stdout)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(asyncio.run(main()))
    except Exception as err:  # the test prints this reason
        print(f"a2a_client: {type(err).__name__}: {err}", file=sys.stderr)
        sys.exit(1)
