"""Every benchmark group, in the order a full run measures them."""
from .bench_countdown import CountdownGroup
from .bench_locks import LocksGroup
from .bench_manager import ManagerGroup
from .bench_pipe import PipeGroup
from .bench_pool import PoolGroup
from .bench_queue import QueueGroup
from .bench_shm_copy import ShmCopyGroup
from .bench_shm_counters import ShmCountersGroup
from .bench_spawn import SpawnGroup
from .bench_sync import SyncGroup

GROUPS = [PipeGroup(), QueueGroup(), ShmCountersGroup(), ShmCopyGroup(), ManagerGroup(), LocksGroup(), SyncGroup(),
          PoolGroup(), SpawnGroup(), CountdownGroup()]
