from __future__ import annotations

import asyncio

from monitor.fetch import Slots


async def test_slots_limit_holders_and_serve_waiters_in_order() -> None:
    slots = Slots(2)
    holding: list[int] = []
    served: list[int] = []
    most = 0

    async def hold(n: int) -> None:
        nonlocal most
        async with slots:
            served.append(n)
            holding.append(n)
            most = max(most, len(holding))
            await asyncio.sleep(0)
            holding.remove(n)

    await asyncio.gather(*(hold(n) for n in range(10)))
    assert most == 2 and served == list(range(10))


async def test_a_cancelled_waiter_neither_keeps_nor_loses_a_slot() -> None:
    slots = Slots(1)
    await slots.__aenter__()
    before_handoff = asyncio.create_task(slots.__aenter__())
    after_handoff = asyncio.create_task(slots.__aenter__())
    last = asyncio.create_task(slots.__aenter__())
    await asyncio.sleep(0)
    before_handoff.cancel()  # still waiting: skipped when the slot is freed
    await slots.__aexit__()  # handed to after_handoff ...
    after_handoff.cancel()  # ... which is cancelled before it runs: the slot goes on to the last
    await asyncio.sleep(0)
    assert before_handoff.cancelled() and after_handoff.cancelled()
    await asyncio.wait_for(last, 1)
    await slots.__aexit__()
    await asyncio.wait_for(slots.__aenter__(), 1)  # and then it is free again
