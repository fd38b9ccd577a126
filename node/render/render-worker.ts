import { parentPort } from "node:worker_threads";
import { renderDocumentFields } from "./document-fields.ts";

// Renders documents' Markdown fields off the main thread: { id, document } → { id, html }.
parentPort!.on("message", (message: { id: number; document: Record<string, unknown> }) => {
  try {
    parentPort!.postMessage({ id: message.id, html: renderDocumentFields(message.document) });
  } catch (error) {
    parentPort!.postMessage({ id: message.id, error: String((error as Error)?.message ?? error) });
  }
});
