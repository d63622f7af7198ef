"""The CPU one scan's proof costs (防伪核验): signing on the hot path, verifying at the door.

    PYTHONPATH=src .venv/bin/python bench/scan/proof.py [--n 20000]

Times `sign_proof` (the hot path does it once per scan, inside `scan_json`), `read_proof`
(POST /api/v1/verify), the bare Ed25519 signature for scale, and the result page's QR SVG
(page scans only), each as the median of 5 runs of n calls, per call.
"""

from __future__ import annotations

import argparse
import base64
import secrets
import statistics
import time
from datetime import UTC, datetime

from venuecode.proofs.codec import read_proof, sign_proof
from venuecode.proofs.keys import ProofKeys
from venuecode.proofs.qr import proof_qr_svg


def per_call(fn, n: int) -> float:  # type: ignore[no-untyped-def]
    runs = []
    for _ in range(5):
        started = time.process_time()  # CPU time: the shared machine is loaded
        for _ in range(n):
            fn()
        runs.append((time.process_time() - started) / n)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20000)
    n = parser.parse_args().n
    keys = ProofKeys.from_seed(base64.b64decode(base64.b64encode(secrets.token_bytes(32))), 60)
    now = datetime.now(UTC)

    def sign() -> str:
        return sign_proof(keys, "pass", "HZ-XH-0002", "地铁2号线文三路站", None, now, now,
                          "周*验", "3301**********3016")

    proof = sign()
    results = {
        "sign_proof": per_call(sign, n),
        "read_proof": per_call(lambda: read_proof(keys, proof, now), n),
        "proof_qr_svg": per_call(lambda: proof_qr_svg(proof), max(50, n // 100)),
        "ed25519 sign alone": per_call(lambda: keys.signing.sign(proof.encode()), n),
    }
    print(f"proof: {len(proof)} characters")
    for name, seconds in results.items():
        print(f"{name:>18}: {seconds * 1e6:8.1f} µs per call")


if __name__ == "__main__":
    main()
