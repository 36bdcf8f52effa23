"""`Store`: the one Redis gateway of trialmatch, assembled from its parts."""

from __future__ import annotations

from matcher.keys import Keys
from matcher.settings import Settings
from matcher.store.access import AccessStore
from matcher.store.board_loop import BoardLoopStore
from matcher.store.client import connect
from matcher.store.lifecycle import LifecycleStore
from matcher.store.matches import MatchStore
from matcher.store.profiles import ProfileStore
from matcher.store.trials import TrialStore


class Store(ProfileStore, MatchStore, TrialStore, AccessStore, BoardLoopStore, LifecycleStore):
    """All Redis reads and writes of trialmatch. Holds no state beyond the client."""

    @classmethod
    def from_settings(cls, settings: Settings) -> Store:
        """The store of this deployment: its Redis (with timeouts) and its key prefix."""
        return cls(connect(settings), Keys(settings.key_prefix))
