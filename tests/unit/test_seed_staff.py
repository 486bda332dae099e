"""The demo data names staff as the demo logins do: an article seeded as approved by "Selin
Kaya" while the supervisor who signs in is Selin Aydın confuses a new user."""

from __future__ import annotations

import re
from pathlib import Path

from devstack import seed


def test_seeded_staff_actors_take_their_names_from_the_staff_list():
    names = {username: name for username, name, *_ in seed.STAFF}
    for username, name in names.items():
        actor = seed.staff_actor(username)
        assert (actor.kind, actor.id, actor.name) == ("staff", username, name)
    source = Path(seed.__file__).read_text(encoding="utf-8")
    written = re.findall(r'Actor\(kind="staff", id="(\w+)", name="([^"]+)"', source)
    assert written == [], f"name staff through staff_actor(), not by hand: {written}"
