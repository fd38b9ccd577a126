import { AsyncLocalStorage } from "node:async_hooks";
import type { MessageQueue } from "@fedify/fedify";

// Fedify 1.5.9 tells `onOutboxError(error, activity)` what failed but not where it was
// going: the inbox is in the queued outbox message Fedify is handling (`{ type: "outbox",
// inbox }`), and its error may be a bare network error that names no URL at all. The
// queue handed to Fedify therefore remembers, for the duration of each handler, the
// message it runs; the error hook reads the inbox from there.

// A delivery that succeeded is the outbox handler returning without Fedify having reported
// an error for it (Fedify 1.5.9 has no success hook): that is how a peer that was failing
// shows healthy again as soon as a retry reaches it.

/** A message queue that knows which message its handler is running. */
export interface DeliveryTrackingQueue {
  /** The queue to hand Fedify: the wrapped queue, its handlers run with their message remembered. */
  readonly queue: MessageQueue;
  /** The inbox of the outbox message whose handler is running in this async context, or null. */
  currentInbox(): URL | null;
  /** Notes that the delivery running in this async context failed; returns its inbox, or null. */
  failed(): URL | null;
}

/** Options of {@link trackDeliveries}. */
export interface TrackDeliveriesOptions {
  /** Called after an outbox message's handler returned with no failure noted: the delivery reached `inbox`. */
  readonly onDelivered?: (inbox: URL) => void;
}

interface Running {
  readonly message: unknown;
  failed: boolean;
}

function inboxOf(message: unknown): URL | null {
  const m = message as { type?: unknown; inbox?: unknown } | undefined;
  if (m?.type !== "outbox" || typeof m.inbox !== "string" || !URL.canParse(m.inbox)) return null;
  return new URL(m.inbox);
}

/** Wraps `queue` so that a delivery's outcome can be traced to the inbox it was for. */
export function trackDeliveries(queue: MessageQueue, options: TrackDeliveriesOptions = {}): DeliveryTrackingQueue {
  const running = new AsyncLocalStorage<Running>();
  const tracked: MessageQueue = {
    enqueue: (message, options) => queue.enqueue(message, options),
    listen: (handler, listenOptions) =>
      queue.listen(async (message) => {
        const run: Running = { message, failed: false };
        await running.run(run, () => handler(message));
        const inbox = run.failed ? null : inboxOf(message);
        if (inbox) options.onDelivered?.(inbox);
      }, listenOptions),
  };
  // Fedify enqueues one by one when a queue has no enqueueMany: offer it only when there is one.
  if (queue.enqueueMany) tracked.enqueueMany = (messages, options) => queue.enqueueMany!(messages, options);
  return {
    queue: tracked,
    currentInbox: () => inboxOf(running.getStore()?.message),
    failed() {
      const run = running.getStore();
      if (!run) return null;
      run.failed = true;
      return inboxOf(run.message);
    },
  };
}
