# A POS integration in Python's standard library: urllib, the answer bound to
# exactly the guide's four fields (a fifth keyword raises TypeError, as
# Jackson's default ObjectMapper raises UnrecognizedPropertyException).
# Usage: python3 strict_urllib.py <url> <payload file>; prints one JSON line.
import base64
import json
import sys
import urllib.request
from dataclasses import dataclass


@dataclass(frozen=True)
class WebhookResponse:
    status: str
    event_id: str
    message: str
    received_at: str


url, payload_file = sys.argv[1], sys.argv[2]
with open(payload_file, "rb") as f:
    body = f.read()
request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"}, method="POST")
with urllib.request.urlopen(request, timeout=10) as response:
    answer = response.read()
    WebhookResponse(**json.loads(answer))
    print(json.dumps({
        "status": response.status,
        "answer_b64": base64.b64encode(answer).decode(),
        "warnings": response.headers.get("X-Relay-Warnings"),
        "sent_b64": base64.b64encode(body).decode(),
    }))
