"""Real-model benchmark: a running `assistants serve` relaying to llama.cpp's `llama-server`.

Measures, with the official `openai` package as users' code would:

1. Streaming, direct versus relayed, in paired rounds (the order within a pair alternates, so that
   neither side always finds llama.cpp's prompt cache warm): time to the first text token and decode
   tokens/s, asking llama-server's chat completions directly and streaming a run through the server, with
   the same instructions and prompt, the same token limit and temperature 0. Medians are reported.
2. The README quick start's flows, a few rounds each: `create_and_poll`, `runs.stream` read through
   `text_deltas`, and a function-calling round trip (`requires_action`, then
   `submit_tool_outputs_and_poll`). A round passes when the run ends `completed` with assistant text (and,
   for functions, after a well-formed `get_weather` call); a failed round records where and why.

`run.sh` beside this file starts both servers and calls this with the right URLs; see BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import statistics
import sys
import time
import traceback
import warnings
from pathlib import Path

import openai
from openai import OpenAI

INSTRUCTIONS = "You are a helpful assistant."
STREAM_PROMPT = "Write a story about a lighthouse keeper who finds a message in a bottle."

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather in a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string", "description": "The city, e.g. Paris"}},
            "required": ["city"],
        },
    },
}


# -- streaming: direct versus relayed ---------------------------------------------------------------------


def stream_direct(model: OpenAI, model_name: str, max_tokens: int) -> dict:
    """One chat-completions stream straight from llama-server."""
    start = time.perf_counter()
    first = last = None
    usage = None
    stream = model.chat.completions.create(
        model=model_name,
        messages=[{"role": "system", "content": INSTRUCTIONS}, {"role": "user", "content": STREAM_PROMPT}],
        stream=True,
        max_tokens=max_tokens,
        temperature=0,
        stream_options={"include_usage": True},
    )
    for chunk in stream:
        if chunk.usage is not None:
            usage = chunk.usage
        if chunk.choices and chunk.choices[0].delta.content:
            now = time.perf_counter()
            first = first or now
            last = now
    return timing(start, first, last, usage.completion_tokens if usage else None, usage.prompt_tokens if usage else None)


def stream_relayed(client: OpenAI, assistant_id: str, max_tokens: int) -> dict:
    """One streamed run through the server, timed from the request that creates the run."""
    thread = client.beta.threads.create(messages=[{"role": "user", "content": STREAM_PROMPT}])
    start = time.perf_counter()
    first = last = None
    run = None
    with client.beta.threads.runs.stream(
        thread_id=thread.id, assistant_id=assistant_id, max_completion_tokens=max_tokens, temperature=0
    ) as stream:
        for event in stream:
            if event.event == "thread.message.delta":
                if any(getattr(part, "text", None) and part.text.value for part in event.data.delta.content or []):
                    now = time.perf_counter()
                    first = first or now
                    last = now
            elif event.event.startswith("thread.run.") and not event.event.startswith("thread.run.step."):
                run = event.data
    usage = getattr(run, "usage", None)
    result = timing(start, first, last, usage.completion_tokens if usage else None, usage.prompt_tokens if usage else None)
    result["status"] = getattr(run, "status", None)
    if getattr(run, "last_error", None):
        result["last_error"] = run.last_error.message
    return result


def timing(start, first, last, completion_tokens, prompt_tokens) -> dict:
    result = {"completion_tokens": completion_tokens, "prompt_tokens": prompt_tokens}
    if first is None:
        return result
    result["ttft_ms"] = (first - start) * 1000
    # Decode rate: the tokens after the first one over the time from the first to the last one, so
    # prompt processing (part of the time to first token) does not count twice.
    if completion_tokens and completion_tokens > 1 and last > first:
        result["tokens_per_s"] = (completion_tokens - 1) / (last - first)
    return result


def median_of(samples: list[dict], key: str):
    values = [s[key] for s in samples if s.get(key) is not None]
    return statistics.median(values) if values else None


def bench_streaming(client: OpenAI, model: OpenAI, model_name: str, alias: str, rounds: int, max_tokens: int) -> dict:
    assistant = client.beta.assistants.create(model=alias, name="stream-bench", instructions=INSTRUCTIONS, temperature=0)
    # One unmeasured request first: loads the model's weights into the page cache.
    stream_direct(model, model_name, 8)
    direct, relayed = [], []
    for i in range(rounds):
        order = ("direct", "relayed") if i % 2 == 0 else ("relayed", "direct")
        for side in order:
            if side == "direct":
                direct.append(stream_direct(model, model_name, max_tokens))
            else:
                relayed.append(stream_relayed(client, assistant.id, max_tokens))
        d, r = direct[-1], relayed[-1]
        print(
            f"  round {i + 1}/{rounds}: direct ttft {fmt(d.get('ttft_ms'))} ms, {fmt(d.get('tokens_per_s'))} tok/s;"
            f" relayed ttft {fmt(r.get('ttft_ms'))} ms, {fmt(r.get('tokens_per_s'))} tok/s ({r.get('status')})",
            flush=True,
        )
    client.beta.assistants.delete(assistant.id)
    return {
        "rounds": rounds,
        "max_tokens": max_tokens,
        "direct": direct,
        "relayed": relayed,
        "median": {
            side: {k: median_of(samples, k) for k in ("ttft_ms", "tokens_per_s", "completion_tokens", "prompt_tokens")}
            for side, samples in (("direct", direct), ("relayed", relayed))
        },
    }


# -- the quick start's flows --------------------------------------------------------------------------------


class FlowFailure(Exception):
    pass


def last_error_text(run) -> str:
    error = getattr(run, "last_error", None)
    return f"{error.code}: {error.message}" if error else ""


def assistant_text(client: OpenAI, thread_id: str) -> str:
    messages = client.beta.threads.messages.list(thread_id=thread_id, order="desc", limit=1)
    for message in messages:
        if message.role == "assistant":
            return "".join(part.text.value for part in message.content if part.type == "text")
    return ""


def expect_completed(client: OpenAI, run, stage: str) -> str:
    if run.status != "completed":
        raise FlowFailure(f"{stage}: run {run.status} {last_error_text(run)}".strip())
    text = assistant_text(client, run.thread_id)
    if not text.strip():
        raise FlowFailure(f"{stage}: run completed without assistant text")
    return text


def flow_create_and_poll(client: OpenAI, alias: str) -> str:
    assistant = client.beta.assistants.create(model=alias, instructions="Answer briefly.")
    try:
        thread = client.beta.threads.create(messages=[{"role": "user", "content": "What is 2 + 3? Answer with the number."}])
        run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=100)
        return expect_completed(client, run, "create_and_poll")
    finally:
        client.beta.assistants.delete(assistant.id)


def flow_stream_text_deltas(client: OpenAI, alias: str) -> str:
    assistant = client.beta.assistants.create(model=alias, instructions="Answer in one or two sentences.")
    try:
        thread = client.beta.threads.create(messages=[{"role": "user", "content": "Why is the sky blue?"}])
        with client.beta.threads.runs.stream(thread_id=thread.id, assistant_id=assistant.id) as stream:
            text = "".join(stream.text_deltas)
            run = stream.get_final_run()
        if run.status != "completed":
            raise FlowFailure(f"runs.stream: run {run.status} {last_error_text(run)}".strip())
        if not text.strip():
            raise FlowFailure("runs.stream: no text_deltas")
        stored = assistant_text(client, thread.id)
        if stored != text:
            raise FlowFailure(f"runs.stream: stored message differs from the streamed text ({len(stored)} vs {len(text)} chars)")
        return text
    finally:
        client.beta.assistants.delete(assistant.id)


def flow_function_call(client: OpenAI, alias: str) -> str:
    assistant = client.beta.assistants.create(
        model=alias, instructions="Use the tools to answer questions about the weather.", tools=[WEATHER_TOOL]
    )
    try:
        thread = client.beta.threads.create(messages=[{"role": "user", "content": "What's the weather in Paris right now?"}])
        run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=100)
        if run.status != "requires_action":
            detail = last_error_text(run) or (assistant_text(client, thread.id)[:80] if run.status == "completed" else "")
            raise FlowFailure(f"tool call: run {run.status}, expected requires_action {detail}".strip())
        calls = run.required_action.submit_tool_outputs.tool_calls
        outputs = []
        for call in calls:
            if call.function.name != "get_weather":
                raise FlowFailure(f"tool call: unexpected function {call.function.name!r}")
            try:
                json.loads(call.function.arguments)
            except ValueError:
                raise FlowFailure(f"tool call: arguments are not JSON: {call.function.arguments[:80]!r}") from None
            outputs.append({"tool_call_id": call.id, "output": json.dumps({"city": "Paris", "temperature_c": 18, "conditions": "sunny"})})
        run = client.beta.threads.runs.submit_tool_outputs_and_poll(
            thread_id=thread.id, run_id=run.id, tool_outputs=outputs, poll_interval_ms=100
        )
        return expect_completed(client, run, "after submit_tool_outputs")
    finally:
        client.beta.assistants.delete(assistant.id)


FLOWS = {
    "create_and_poll": flow_create_and_poll,
    "runs.stream + text_deltas": flow_stream_text_deltas,
    "function call round trip": flow_function_call,
}


def bench_flows(client: OpenAI, alias: str, rounds: int) -> dict:
    results = {}
    for name, flow in FLOWS.items():
        outcomes = []
        for i in range(rounds):
            start = time.perf_counter()
            try:
                text = flow(client, alias)
                outcome = {"passed": True, "answer": text[:120]}
            except FlowFailure as failure:
                outcome = {"passed": False, "failure": str(failure)}
            except Exception as error:  # an SDK helper that crashes is a failure of the flow, recorded as such
                outcome = {"passed": False, "failure": f"{type(error).__name__}: {error}", "traceback": traceback.format_exc(limit=4)}
            outcome["seconds"] = round(time.perf_counter() - start, 2)
            outcomes.append(outcome)
            verdict = "pass" if outcome["passed"] else f"FAIL ({outcome['failure'][:200]})"
            print(f"  {name} {i + 1}/{rounds}: {verdict} in {outcome['seconds']} s", flush=True)
        results[name] = {"passed": sum(o["passed"] for o in outcomes), "rounds": rounds, "outcomes": outcomes}
    return results


# -- report --------------------------------------------------------------------------------------------------


def fmt(value, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def report(result: dict) -> str:
    s = result["streaming"]
    d, r = s["median"]["direct"], s["median"]["relayed"]
    lines = [
        f"Model: {result['model']} via llama-server; server: {result['assistants_bin']}",
        "",
        f"| Streaming ({s['rounds']} paired rounds, {s['max_tokens']} tokens max, temperature 0; medians) | direct | relayed |",
        "|---|---|---|",
        f"| Time to first token | {fmt(d['ttft_ms'])} ms | {fmt(r['ttft_ms'])} ms |",
        f"| Decode rate | {fmt(d['tokens_per_s'])} tokens/s | {fmt(r['tokens_per_s'])} tokens/s |",
        f"| Completion / prompt tokens | {fmt(d['completion_tokens'], 0)} / {fmt(d['prompt_tokens'], 0)} | {fmt(r['completion_tokens'], 0)} / {fmt(r['prompt_tokens'], 0)} |",
        "",
        "| Quick start flow | passed | failures seen |",
        "|---|---|---|",
    ]
    for name, flow in result["flows"].items():
        failures = sorted({o["failure"] for o in flow["outcomes"] if not o["passed"]})
        seen = "; ".join(" ".join(f.split())[:160] for f in failures) or "—"
        lines.append(f"| {name} | {flow['passed']} / {flow['rounds']} | {seen} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assistants-url", required=True, help="the server's base URL, e.g. http://127.0.0.1:8080/v1")
    parser.add_argument("--model-url", required=True, help="llama-server's base URL, e.g. http://127.0.0.1:8081/v1")
    parser.add_argument("--model", required=True, help="the model name llama-server serves")
    parser.add_argument("--alias", default="gpt-4o", help="the model name assistants use (mapped by ASSISTANTS_MODEL_ALIASES)")
    parser.add_argument("--stream-rounds", type=int, default=7)
    # 256: the least `max_completion_tokens` a run accepts (as with OpenAI); the direct side uses the same.
    parser.add_argument("--max-tokens", type=int, default=256)
    parser.add_argument("--flow-rounds", type=int, default=5)
    parser.add_argument("--assistants-bin", default="")
    parser.add_argument("--output", type=Path, help="also write the raw results as JSON here")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=DeprecationWarning)  # the SDK marks every Assistants call

    # No retries and generous timeouts: a failure should show as it is, and a small model on two busy cores is slow.
    client = OpenAI(base_url=args.assistants_url, api_key="local", max_retries=0, timeout=600)
    model = OpenAI(base_url=args.model_url, api_key="local", max_retries=0, timeout=600)

    result = {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "model": args.model,
        "assistants_bin": args.assistants_bin,
        "openai": openai.__version__,
        "python": platform.python_version(),
    }
    print(f"== Streaming: {args.stream_rounds} paired rounds, {args.max_tokens} tokens", flush=True)
    result["streaming"] = bench_streaming(client, model, args.model, args.alias, args.stream_rounds, args.max_tokens)
    print(f"== Quick start flows: {args.flow_rounds} rounds each", flush=True)
    result["flows"] = bench_flows(client, args.alias, args.flow_rounds)

    table = report(result)
    print("\n" + table)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(result, indent=2) + "\n")
        print(f"\nraw results: {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
