"""Signing in with the accounts people already have: OpenID Connect providers.

* :mod:`.providers`: the providers a school connects (config and admin page),
  their discovery documents and keys;
* :mod:`.oidc`: the authorisation code flow (PKCE, state, nonce) and the
  checks on the ID token, with Authlib's client;
* :mod:`.identities`: linking accounts by (issuer, subject), accounts made at
  a first sign-in, the per-role password switch and the provider's MFA claim.

See docs/sign-in.md.
"""
