import busboy from "busboy";
import type { Context, Middleware, Next } from "koa";
import type { ReceiveResult, Uploads } from "../library/uploads.ts";
import { HttpError } from "./errors.ts";

// Multipart form submissions (a dataset form with a file input), parsed with busboy: fields
// become the form body as urlencoded forms do, and each file is streamed to a temporary file
// (library/uploads.ts) while it arrives. Files the route does not keep are removed when the
// request ends, whatever happened.

/** One file of a multipart submission, by the name of its input. */
export interface FormUpload {
  readonly field: string;
  readonly result: ReceiveResult;
}

/** Options of {@link multipartForm}. */
export interface MultipartOptions {
  readonly uploads: Uploads;
  /** Most files in one submission (default 20). */
  readonly maxFiles?: number;
  /** Most bytes of the form's text fields together (default 1 MB, as urlencoded forms). */
  readonly maxFieldBytes?: number;
}

interface UploadState {
  uploads?: FormUpload[];
  keptUploads?: Set<string>;
}

/** The files of this request (empty for an urlencoded form). */
export function uploadsOf(ctx: Context): readonly FormUpload[] {
  return (ctx.state as UploadState).uploads ?? [];
}

/** Tells the multipart middleware that a received file was kept (moved into place), so it is not removed. */
export function markKept(ctx: Context, temp: string): void {
  const state = ctx.state as UploadState;
  state.keptUploads ??= new Set();
  state.keptUploads.add(temp);
}

/**
 * Parses `multipart/form-data` bodies into `ctx.request.body` (fields) and {@link uploadsOf}
 * (files); other bodies pass through to the next parser. Put it after the login check, so no
 * anonymous request writes to disk, and before the CSRF check, which reads the parsed token.
 */
export function multipartForm(options: MultipartOptions): Middleware {
  const { uploads } = options;
  const maxFiles = options.maxFiles ?? 20;
  const maxFieldBytes = options.maxFieldBytes ?? 1024 * 1024;
  return async (ctx: Context, next: Next) => {
    if (!ctx.is("multipart/form-data")) return next();
    const fields: Record<string, string | string[]> = {};
    const received: FormUpload[] = [];
    (ctx.state as UploadState).uploads = received;
    try {
      await new Promise<void>((resolve, reject) => {
        let bb: busboy.Busboy;
        try {
          bb = busboy({
            headers: ctx.req.headers,
            defParamCharset: "utf8",
            // One byte over the limit is how a file too large is told from one exactly at it.
            limits: { fileSize: uploads.maxBytes + 1, files: maxFiles, fieldSize: maxFieldBytes, fields: 5000 },
          });
        } catch {
          reject(new HttpError(400, "the form body is not valid multipart/form-data"));
          return;
        }
        const pending: Promise<void>[] = [];
        let failure: unknown;
        let fieldBytes = 0;
        let done = false;
        bb.on("field", (name, value, info) => {
          // The text of the whole form is bounded as an urlencoded form is, not only each field.
          fieldBytes += Buffer.byteLength(name) + Buffer.byteLength(value);
          if (info.valueTruncated || fieldBytes > maxFieldBytes) {
            failure ??= new HttpError(413, "the form's text is too long");
            return;
          }
          const had = fields[name];
          fields[name] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
        });
        bb.on("file", (name, stream, info) => {
          // An empty file input still sends a part, with no name and no bytes.
          if (!info.filename) {
            stream.resume();
            return;
          }
          pending.push(
            uploads.receive(stream, info.filename).then(
              (result) => void received.push({ field: name, result }),
              (error: unknown) => {
                stream.resume();
                failure ??= error;
              },
            ),
          );
        });
        bb.on("filesLimit", () => {
          failure ??= new HttpError(413, `at most ${maxFiles} files can be sent at once`);
        });
        bb.on("error", (error) =>
          reject(new HttpError(400, `the form could not be read: ${(error as Error).message}`)),
        );
        bb.on("close", () => {
          done = true;
          Promise.all(pending).then(() => (failure ? reject(failure) : resolve()), reject);
        });
        // A client that goes away mid-upload: end the parse (its file streams error, and their
        // temporary files are removed) instead of waiting for a body that never ends.
        ctx.req.on("close", () => {
          if (done || ctx.req.complete) return;
          ctx.req.unpipe(bb);
          bb.destroy(new Error("the upload was interrupted"));
        });
        ctx.req.pipe(bb);
      });
      ctx.request.body = fields;
      await next();
    } finally {
      const kept = (ctx.state as UploadState).keptUploads;
      for (const u of received) if (u.result.ok && !kept?.has(u.result.file.temp)) await uploads.discard(u.result.file);
    }
  };
}
