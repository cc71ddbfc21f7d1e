# The cloud guides' Python samples, as published (Basic Guide "Using Python"
# and "Retry Strategy"; Troubleshooting Guide "Connection pooling with
# retries"), indented again, with the base URL the only change: the relay's
# address instead of https://api.emiliavision.com. Each sample's answer is
# printed as one JSON line with the bytes requests sent.
# Usage: python3 guide_requests.py <base url> <token>
import base64
import json
import sys
import time

import requests
from datetime import datetime, timezone
from requests.adapters import HTTPAdapter
from requests.packages.urllib3.util.retry import Retry

BASE, TOKEN = sys.argv[1], sys.argv[2]


def report(sample, response):
    print(json.dumps({
        "sample": sample,
        "status": response.status_code,
        "answer_b64": base64.b64encode(response.content).decode(),
        "warnings": response.headers.get("X-Relay-Warnings"),
        "sent_b64": base64.b64encode(response.request.body).decode(),
    }), flush=True)


# Basic Guide, "Using Python".
URL_PROD = f"{BASE}/webhooks/v1/pos/{TOKEN}"
URL_DEV = f"{BASE}/webhooks/v1/pos/{TOKEN}?env=dev"
payload = {
    "event": "order_created",
    "timestamp": datetime.now(timezone.utc).isoformat(),
    "order_id": "TEST-001",
    "table": "Mesa 8",
    "total": 41.00
}
response = requests.post(
    URL_DEV,
    json=payload,
    timeout=10
)
report("basic: requests.post to URL_DEV", response)
response = requests.post(URL_PROD, json=payload, timeout=10)
report("basic: requests.post to URL_PROD", response)


# Basic Guide, "Retry Strategy".
def send_webhook_with_retry(url, payload, max_retries=3):
    for attempt in range(max_retries):
        try:
            response = requests.post(url, json=payload, timeout=10)
            if response.status_code == 200:
                report("retry strategy: send_webhook_with_retry", response)
                return response.json()
            if response.status_code == 401:
                # Don't retry authentication errors
                raise Exception("Invalid token")
            if response.status_code in [500, 503]:
                # Retry server errors
                wait_time = (2 ** attempt)  # 1s, 2s, 4s
                time.sleep(wait_time)
                continue
            # Other errors
            raise Exception(f"HTTP {response.status_code}")
        except requests.exceptions.Timeout:
            wait_time = (2 ** attempt)
            time.sleep(wait_time)
    raise Exception("Max retries exceeded")


send_webhook_with_retry(URL_PROD, {**payload, "order_id": "TEST-002"})


# Troubleshooting Guide, "Problem: Timeouts", a session with automatic retries.
def create_session_with_retries():
    session = requests.Session()
    retry = Retry(
        total=3,
        read=3,
        connect=3,
        backoff_factor=0.3,
        status_forcelist=(500, 502, 503, 504)
    )
    adapter = HTTPAdapter(max_retries=retry)
    session.mount('http://', adapter)
    session.mount('https://', adapter)
    return session


session = create_session_with_retries()
for n in (3, 4):
    response = session.post(URL_PROD, json={**payload, "order_id": f"TEST-00{n}"}, timeout=30)
    report(f"session with retries: request {n - 2} on one connection", response)
