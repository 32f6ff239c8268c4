"""The rules that stand between a PIN/PUK and the card.

Pure functions over data (retry state, profile, token limits, consent), so every rule is
unit-tested without a card, and the token session cannot forget one: it calls
`check_attempt` before each C_Login / C_SetPIN / C_InitPIN and sends nothing when an
outcome comes back.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from assistant.card.consent import LastTryConsent, PinOperation
from assistant.card.outcomes import Outcome, OutcomeKind, PinAttempt, PinProblem, PinRule
from assistant.card.profiles import CardProfile, PinPolicy, PukManager
from assistant.card.retries import RetryState
from assistant.secret import Secret


def effective_pin_policy(
    profile_policy: PinPolicy, token_min: int | None, token_max: int | None
) -> PinPolicy:
    """The stricter of the issuer's rule (profile) and the module's limits (token info).

    Kamu SM issues 6-digit PINs while a module may accept 4..16; a PIN outside the
    issuer's rule would at best be refused and at worst accepted and then rejected
    elsewhere. If the two contradict each other the module's limits win: it is the
    module that will take or refuse the PIN.
    """
    mins = [v for v in (profile_policy.min_length, token_min) if v]
    maxes = [v for v in (profile_policy.max_length, token_max) if v]
    low = max(mins) if mins else None
    high = min(maxes) if maxes else None
    if low is not None and high is not None and low > high:
        low, high = token_min or None, token_max or None
    return PinPolicy(min_length=low, max_length=high, digits_only=profile_policy.digits_only)


def current_pin_policy(
    profile_policy: PinPolicy, token_min: int | None, token_max: int | None
) -> PinPolicy:
    """The rule a PIN already on the card must meet: only the module's own limits.

    The issuer's lengths describe PINs it generates; a holder may have chosen another
    length the card accepted, and refusing their real PIN would lock them out. A PIN
    outside the module's limits, though, can only be wrong: refusing it saves a try.
    """
    return PinPolicy(
        min_length=token_min or None,
        max_length=token_max or None,
        digits_only=profile_policy.digits_only,
    )


def check_pin_format(pin: Secret, policy: PinPolicy, *, new: bool = False) -> PinRule | None:
    """A rule the PIN breaks, found without sending it anywhere; None when it looks fine.

    Lengths are in bytes, as PKCS#11's ulMinPinLen/ulMaxPinLen are.
    """
    value = pin.reveal_bytes()
    problem: PinProblem | None = None
    if policy.min_length is not None and len(value) < policy.min_length:
        problem = PinProblem.TOO_SHORT
    elif policy.max_length is not None and len(value) > policy.max_length:
        problem = PinProblem.TOO_LONG
    elif policy.digits_only and not value.isdigit():
        problem = PinProblem.NOT_DIGITS
    if problem is None:
        return None
    return PinRule(problem, policy.min_length, policy.max_length, policy.digits_only, new)


def check_attempt(
    operation: PinOperation,
    retry: RetryState,
    consent: LastTryConsent | None,
    token_serial: str,
    *,
    puk: bool = False,
) -> PinAttempt[None] | None:
    """None when the attempt may go ahead; otherwise the refusal to return instead.

    A consent is redeemed only when it is actually needed (the last try), and only by
    an exact match of operation and card. Anything that is not a real LastTryConsent
    (say, `True`) counts as no consent.
    """
    if retry.locked:
        kind = OutcomeKind.PUK_LOCKED if puk else OutcomeKind.PIN_LOCKED
        return PinAttempt(kind, retry=retry)
    if retry.last_try:
        granted = isinstance(consent, LastTryConsent) and consent.redeem(operation, token_serial)
        if not granted:
            return PinAttempt(OutcomeKind.LAST_TRY_NEEDS_CONSENT, retry=retry)
    return None


def check_puk_allowed(profile: CardProfile) -> Outcome[None] | None:
    """Cards whose PUK the CA (Kamu SM, from 2011) or the issuer manages never get one."""
    if profile.puk_allowed:
        return None
    return Outcome(OutcomeKind.PUK_NOT_ALLOWED, error=f"puk_manager={profile.puk_manager.value}")


def check_ca_unblock_allowed(profile: CardProfile) -> Outcome[None] | None:
    """A CA-issued unlock credential ("Kilit Çözme") fits only cards whose PUK the CA manages.

    On a `user` profile the holder's own PUK route (`unblock_pin`) applies; on `issuer` or
    `unknown` profiles nobody here can tell whose credential it would be. Either way a
    credential sent there could only be a wrong PUK try on somebody's card.
    """
    if profile.puk_manager is PukManager.CA:
        return None
    return Outcome(
        OutcomeKind.CA_UNBLOCK_NOT_ALLOWED, error=f"puk_manager={profile.puk_manager.value}"
    )


def check_ca_unlock(
    puk: RetryState,
    token_serial: str,
    card_serials: Collection[int],
    ca_serials: Callable[[], Collection[int]],
) -> Outcome[None] | None:
    """Whether Kilit Çözme may ask the CA for an unlock credential for this card at all.

    Asked before the portal hands anything out, on a profile `check_ca_unblock_allowed`
    passed: a PUK that is blocked or at its last try is refused (the credential counts
    as a PUK try, and there is no confirm step for it), and so is a card none of whose
    certificates (`card_serials`) the holder's CA account lists (`ca_serials`, asked only
    when everything else allows it): a credential for another card would be a wrong PUK
    try on this one.
    """
    refusal = check_attempt(PinOperation.UNBLOCK_PIN, puk, None, token_serial, puk=True)
    if refusal is not None:
        return refusal
    if not set(card_serials) & set(ca_serials()):
        return Outcome(OutcomeKind.OTHER_CARD)
    return None
