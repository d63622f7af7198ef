"""`venuecode keys`: key material an operator makes by hand."""

from __future__ import annotations

import typer

app = typer.Typer(help="Make keys: the Ed25519 key that signs scan results' proofs.",
                  no_args_is_help=True)


@app.command("proof-new")
def proof_new() -> None:
    """Print a new proof signing key (for VENUECODE_PROOF_SIGNING_KEY) and its key id.

    Rotation: put the old value into VENUECODE_PROOF_PREVIOUS_KEYS, this one into
    VENUECODE_PROOF_SIGNING_KEY, restart; remove the old one a proof lifetime later
    (docs/operations.md#proof-keys).
    """
    import base64

    from venuecode.proofs.keys import ProofKeys, new_private_key_text

    text = new_private_key_text()
    keys = ProofKeys.from_seed(base64.b64decode(text), 60)
    typer.echo(f"VENUECODE_PROOF_SIGNING_KEY={text}")
    typer.echo(f"# key id {keys.kid}, public x {keys.jwks()['keys'][0]['x']}", err=True)
