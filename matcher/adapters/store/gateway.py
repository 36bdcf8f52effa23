"""`Store`: the one Redis gateway of trialmatch, assembled from its parts."""

from __future__ import annotations

from matcher.adapters.keys import Keys
from matcher.adapters.store.access import AccessStore
from matcher.adapters.store.board_loop import BoardLoopStore
from matcher.adapters.store.client import connect
from matcher.adapters.store.lifecycle import LifecycleStore
from matcher.adapters.store.matches import MatchStore
from matcher.adapters.store.profiles import ProfileStore
from matcher.adapters.store.trials import TrialStore
from matcher.settings import Settings


class Store(ProfileStore, MatchStore, TrialStore, AccessStore, BoardLoopStore, LifecycleStore):
    """All Redis reads and writes of trialmatch. Holds no state beyond the client."""

    @classmethod
    def from_settings(cls, settings: Settings) -> Store:
        """The store of this deployment: its Redis (with timeouts) and its key prefix."""
        return cls(connect(settings), Keys(settings.key_prefix))
