"""Password hashing and token secrets."""
from openvmi.auth import security
from openvmi.auth.security import TOKEN_PREFIX, hash_password, new_token_secret, token_digest, verify_password


def test_a_password_verifies_against_its_hash_and_is_not_stored_in_it():
    hashed = hash_password("correct-horse-1")

    assert hashed.startswith("$argon2id$")
    assert "correct-horse-1" not in hashed
    assert verify_password(hashed, "correct-horse-1")


def test_a_wrong_password_is_refused():
    assert not verify_password(hash_password("correct-horse-1"), "correct-horse-2")


def test_the_same_password_hashes_differently_each_time():
    assert hash_password("same-password") != hash_password("same-password")


def test_a_corrupt_stored_hash_refuses_instead_of_crashing():
    assert not verify_password("not-a-hash", "anything")
    assert not verify_password("", "anything")


def test_the_stand_in_check_for_unknown_users_costs_what_a_real_check_costs():
    stand_in, real = security._dummy_hash(security._hasher), hash_password("correct-horse-1")

    assert stand_in.rsplit("$", 2)[0] == real.rsplit("$", 2)[0]  # same algorithm, memory, time, lanes
    assert not verify_password(stand_in, "admin")


def test_token_secrets_are_prefixed_long_and_unique():
    secrets = {new_token_secret() for _ in range(50)}

    assert len(secrets) == 50
    assert all(s.startswith(TOKEN_PREFIX) and len(s) >= len(TOKEN_PREFIX) + 40 for s in secrets)


def test_token_digest_is_a_stable_sha256_that_hides_the_secret():
    secret = new_token_secret()

    assert token_digest(secret) == token_digest(secret)
    assert len(token_digest(secret)) == 64 and secret not in token_digest(secret)
    assert token_digest(secret) != token_digest(secret + "x")
