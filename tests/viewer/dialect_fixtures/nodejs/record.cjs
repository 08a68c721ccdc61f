// Record the telemetry of @opentelemetry/instrumentation-openai (see README.md beside this file).
// Usage: see README.md (OPENAI_BASE_URL and the OTEL_* variables set, then `node record.cjs`).
// The exporters, endpoint and protocol come from the standard OTEL_* environment variables.
const { NodeSDK } = require("@opentelemetry/sdk-node");
const { trace } = require("@opentelemetry/api");
const { OpenAIInstrumentation } = require("@opentelemetry/instrumentation-openai");

const { logs } = require("@opentelemetry/api-logs");

const instrumentation = new OpenAIInstrumentation({ captureMessageContent: true });
const sdk = new NodeSDK({ instrumentations: [instrumentation] });
sdk.start();
// The SDK sets the global logger provider after enabling the instrumentations: hand it over.
instrumentation.setLoggerProvider(logs.getLoggerProvider());

const OpenAI = require("openai");
const tracer = trace.getTracer("dialect-producer");
const WEATHER = {
  type: "function",
  function: {
    name: "get_weather", description: "The weather in a city.",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
};
const ask = [
  { role: "system", content: "You are a terse weather assistant." },
  { role: "user", content: "Weather in Paris?" },
];

async function step(name, body) {
  await tracer.startActiveSpan(`nodejs ${name}`, async (span) => {
    try { await body(); } finally { span.end(); }
  });
}

async function main() {
  const client = new OpenAI({ baseURL: process.env.OPENAI_BASE_URL, apiKey: "test-key", maxRetries: 0 });
  await step("plain", async () => { // a Responses call: instructions apart, details in two events
    await client.responses.create({ model: "gpt-4o-mini", instructions: "You are a terse weather assistant.",
      input: "Weather in Paris?" });
  });
  let call;
  await step("tool call", async () => {
    const stream = await client.chat.completions.create({ model: "gpt-4o-mini", messages: ask, tools: [WEATHER],
      stream: true, stream_options: { include_usage: true } });
    call = { id: "", name: "", arguments: "" };
    for await (const chunk of stream) {
      for (const choice of chunk.choices) {
        for (const delta of choice.delta.tool_calls || []) {
          call.id += delta.id || "";
          call.name += delta.function?.name || "";
          call.arguments += delta.function?.arguments || "";
        }
      }
    }
  });
  await step("tool result", async () => {
    await client.chat.completions.create({ model: "gpt-4o-mini", tools: [WEATHER], messages: [...ask,
      { role: "assistant", content: null, tool_calls: [{ id: call.id, type: "function",
        function: { name: call.name, arguments: call.arguments } }] },
      { role: "tool", tool_call_id: call.id, content: JSON.stringify({ forecast: "drizzle" }) }] });
  });
  await step("missing model", async () => {
    try {
      await client.chat.completions.create({ model: "does-not-exist-model", messages: ask });
    } catch (error) {
      if (error.status !== 404) throw error;
    }
  });
  await sdk.shutdown();
}

main();
