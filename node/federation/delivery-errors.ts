import { AsyncLocalStorage } from "node:async_hooks";
import type { MessageQueue } from "@fedify/fedify";

// Fedify 1.5.9 tells `onOutboxError(error, activity)` what failed but not where it was
// going: the inbox is in the queued outbox message Fedify is handling (`{ type: "outbox",
// inbox }`), and its error may be a bare network error that names no URL at all. The
// queue handed to Fedify therefore remembers, for the duration of each handler, the
// message it runs; the error hook reads the inbox from there.

/** A message queue that knows which message its handler is running. */
export interface DeliveryTrackingQueue {
  /** The queue to hand Fedify: the wrapped queue, its handlers run with their message remembered. */
  readonly queue: MessageQueue;
  /** The inbox of the outbox message whose handler is running in this async context, or null. */
  currentInbox(): URL | null;
}

/** Wraps `queue` so that a delivery error can be traced to the inbox it was for. */
export function trackDeliveries(queue: MessageQueue): DeliveryTrackingQueue {
  const running = new AsyncLocalStorage<unknown>();
  const tracked: MessageQueue = {
    enqueue: (message, options) => queue.enqueue(message, options),
    listen: (handler, options) => queue.listen((message) => running.run(message, () => handler(message)), options),
  };
  // Fedify enqueues one by one when a queue has no enqueueMany: offer it only when there is one.
  if (queue.enqueueMany) tracked.enqueueMany = (messages, options) => queue.enqueueMany!(messages, options);
  return {
    queue: tracked,
    currentInbox() {
      const message = running.getStore() as { type?: unknown; inbox?: unknown } | undefined;
      if (message?.type !== "outbox" || typeof message.inbox !== "string" || !URL.canParse(message.inbox)) return null;
      return new URL(message.inbox);
    },
  };
}
