import { test } from "node:test";
import assert from "node:assert/strict";
import { RpcClient, serveRpc, isRpcRequest } from "../../src/protocol/rpc.js";

type Methods = {
  add: { params: { a: number; b: number }; result: number };
  fail: { params: Record<string, never>; result: void };
  slow: { params: Record<string, never>; result: string };
};

function pair() {
  let toServer: (m: unknown) => void = () => undefined;
  const client = new RpcClient<Methods>((m) => setTimeout(() => toServer(m), 0));
  const handle = serveRpc<Methods>(
    {
      add: ({ a, b }) => a + b,
      fail: () => {
        throw new TypeError("bad input");
      },
      slow: () => new Promise<string>(() => undefined),
    },
    (reply) => setTimeout(() => client.handle(reply), 0),
  );
  toServer = (m) => handle(m);
  return { client, handle };
}

test("requests resolve with results, errors come back as rejections with their name", async () => {
  const { client } = pair();
  assert.equal(await client.request("add", { a: 2, b: 3 }), 5);
  await assert.rejects(client.request("fail", {}), (e: Error) => e.name === "TypeError" && e.message === "bad input");
  assert.equal(client.pendingCount, 0);
});

test("unknown request types get an error reply; non-requests are ignored", async () => {
  const { client, handle } = pair();
  await assert.rejects(
    (client as unknown as RpcClient<{ nope: { params: object; result: void } }>).request("nope", {}),
    /unknown request type "nope"/,
  );
  assert.equal(handle({ type: "other" }), false);
  assert.equal(handle({ type: "rpc/reply", id: 1, ok: true, result: 1 }), false);
  assert.equal(isRpcRequest({ type: "x", id: 3, params: {} }), true);
  assert.equal(client.handle({ type: "rpc/reply", id: 999, ok: true, result: 1 }), false, "stray reply");
});

test("dispose rejects pending requests and later ones", async () => {
  const { client } = pair();
  const p = client.request("slow", {});
  client.dispose("panel closed");
  await assert.rejects(p, /panel closed/);
  await assert.rejects(client.request("add", { a: 1, b: 1 }), /panel closed/);
});

test("timeouts reject", async () => {
  const client = new RpcClient<Methods>(() => undefined, { timeoutMs: 20 });
  await assert.rejects(client.request("slow", {}), /timed out/);
});
