"""Several clients at once, as a web app or the SDK's concurrent upload helpers do."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import openai


def test_concurrent_message_creates_in_one_thread(client, thread):
    def create(i):
        return client.beta.threads.messages.create(thread.id, role="user", content=f"concurrent {i}").id

    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = list(pool.map(create, range(40)))
    assert len(set(ids)) == 40
    listed = [m.id for m in client.beta.threads.messages.list(thread.id, limit=100)]
    assert sorted(listed) == sorted(ids)


def test_concurrent_mixed_writes(client):
    def work(i):
        a = client.beta.assistants.create(model="gpt-4o", name=f"c{i}")
        t = client.beta.threads.create(messages=[{"role": "user", "content": str(i)}])
        f = client.files.create(file=(f"c{i}.txt", f"file {i}".encode(), "text/plain"), purpose="assistants")
        client.beta.assistants.update(a.id, metadata={"i": str(i)})
        return a.id, t.id, f.id

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(work, range(18)))
    for i, (a_id, t_id, f_id) in enumerate(results):
        assert client.beta.assistants.retrieve(a_id).metadata == {"i": str(i)}
        assert client.beta.threads.messages.list(t_id).data[0].content[0].text.value == str(i)
        assert client.files.content(f_id).read() == f"file {i}".encode()


def test_async_client(server):
    async def main():
        async with openai.AsyncOpenAI(base_url=server.base_url, api_key="test-key-1", max_retries=0) as c:
            files = await asyncio.gather(*[
                c.files.create(file=(f"async{i}.txt", bytes([i]) * 1000, "text/plain"), purpose="assistants")
                for i in range(5)
            ])
            a = await c.beta.assistants.create(
                model="gpt-4o", name="async",
                tool_resources={"code_interpreter": {"file_ids": [f.id for f in files]}},
            )
            t = await c.beta.threads.create()
            await asyncio.gather(*[
                c.beta.threads.messages.create(t.id, role="user", content=f"m{i}") for i in range(10)
            ])
            seen = [m.content[0].text.value async for m in c.beta.threads.messages.list(t.id, limit=3)]
            got = await c.beta.assistants.retrieve(a.id)
            contents = [(await c.files.content(f.id)).read() for f in files]
            return files, got, seen, contents

    files, got, seen, contents = asyncio.run(main())
    assert got.tool_resources.code_interpreter.file_ids == [f.id for f in files]
    assert sorted(seen) == sorted(f"m{i}" for i in range(10))
    assert contents == [bytes([i]) * 1000 for i in range(5)]
