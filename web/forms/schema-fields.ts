import {
  COMMON_SCHEMA_FILE,
  isDocumentType,
  readSchema,
  SCHEMA_BASE,
  SCHEMA_FILE_BY_TYPE,
  SCHEMA_FILES,
  type Schema,
} from "../../schemas/catalogue.ts";

/** How a schema property is edited in a form. */
export type FieldKind =
  | "text"
  | "textarea"
  | "markdown"
  | "url"
  | "email"
  | "date"
  | "number"
  | "integer"
  | "numberOrText"
  | "select"
  | "language"
  | "checkboxes"
  | "lines"
  | "numbers"
  | "object"
  | "rows";

/** One form field derived from the schemas; `children` for objects and for the rows of an array of objects. */
export interface FieldSpec {
  readonly name: string;
  readonly kind: FieldKind;
  readonly label: string;
  readonly description?: string;
  readonly required: boolean;
  readonly options?: readonly string[];
  /** For checkboxes: the choices are numbers (SDGs), sent and stored as such. */
  readonly numeric?: boolean;
  /** For a select: a yes-or-no field, its choices "true" and "false" stored as booleans. */
  readonly boolean?: boolean;
  readonly children?: readonly FieldSpec[];
  /** For rows: what one row is called (the item schema's title), and the fewest rows. */
  readonly rowName?: string;
  readonly minItems?: number;
}

/** Fields the node manages or sets itself; never in a form. */
const NOT_IN_FORMS = new Set([
  "id",
  "type",
  "attributedTo",
  "published",
  "updated",
  "version",
  "city",
  "country",
  "translations",
]);
const TEXTAREA_DEFS = new Set(["summary", "text"]);

const schemas = new Map<string, Schema>();
for (const file of SCHEMA_FILES) schemas.set(file, readSchema(file));

interface Resolved {
  readonly schema: Schema;
  readonly file: string;
  /** The `$defs` name the schema came from, if any (e.g. "markdown"). */
  readonly def?: string;
}

function pointerGet(root: Schema, pointer: string): Schema {
  let node: unknown = root;
  for (const part of pointer.split("/").filter(Boolean))
    node = (node as Schema)[part.replace(/~1/g, "/").replace(/~0/g, "~")];
  if (!node || typeof node !== "object") throw new TypeError(`no schema at ${pointer}`);
  return node as Schema;
}

/** Follows `$ref`s (keeping the referring schema's own keywords on top) to a concrete schema. */
function resolve(schema: Schema, file: string, def?: string): Resolved {
  const ref = schema.$ref;
  if (typeof ref !== "string") return { schema, file, def };
  const [target, pointer = ""] = ref.split("#");
  const targetFile = target ? target.replace(SCHEMA_BASE, "") : file;
  const root = schemas.get(targetFile);
  if (!root) throw new TypeError(`unknown schema ${ref}`);
  const inner = resolve(pointerGet(root, pointer), targetFile, pointer.split("/").at(-1));
  const { $ref: _ref, ...own } = schema;
  return { schema: { ...inner.schema, ...own }, file: inner.file, def: inner.def };
}

/** "accrualPeriodicity" → "Accrual periodicity"; "downloadURL" → "Download URL". */
export function humanize(name: string): string {
  const words = name.replace(/([a-z])([A-Z])/g, "$1 $2").replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2");
  const lower = words.replace(/\b([A-Z][a-z]+)\b/g, (w) => w.toLowerCase());
  return lower.charAt(0).toUpperCase() + lower.slice(1);
}

function fieldFor(name: string, raw: Schema, file: string, required: boolean): FieldSpec {
  const { schema, file: at, def } = resolve(raw, file);
  const description = typeof schema.description === "string" ? schema.description : undefined;
  const base = { name, label: humanize(name), description, required };
  const type = schema.type;
  if (Array.isArray(type)) return { ...base, kind: "numberOrText" };
  if (type === "object") {
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    const req = new Set((schema.required as string[] | undefined) ?? []);
    return { ...base, kind: "object", children: Object.entries(props).map(([n, s]) => fieldFor(n, s, at, req.has(n))) };
  }
  if (type === "array") {
    const item = resolve((schema.items ?? {}) as Schema, at);
    const minItems = typeof schema.minItems === "number" ? schema.minItems : undefined;
    if (item.schema.type === "object") {
      const obj = fieldFor(name, item.schema, item.file, required);
      return {
        ...base,
        kind: "rows",
        children: obj.children,
        rowName: typeof item.schema.title === "string" ? humanize(item.schema.title) : humanize(name),
        minItems,
      };
    }
    if (Array.isArray(item.schema.enum)) return { ...base, kind: "checkboxes", options: item.schema.enum as string[] };
    const { minimum, maximum } = item.schema;
    // A small closed range of integers (the 17 SDGs) is a set of choices, not a list to type.
    if (
      item.schema.type === "integer" &&
      typeof minimum === "number" &&
      typeof maximum === "number" &&
      maximum - minimum < 30
    ) {
      const options = Array.from({ length: maximum - minimum + 1 }, (_, i) => String(minimum + i));
      return { ...base, kind: "checkboxes", options, numeric: true };
    }
    if (item.schema.type === "integer" || item.schema.type === "number") return { ...base, kind: "numbers" };
    return { ...base, kind: "lines", minItems };
  }
  if (Array.isArray(schema.enum)) return { ...base, kind: "select", options: schema.enum as string[] };
  if (type === "boolean") return { ...base, kind: "select", options: ["true", "false"], boolean: true };
  if (type === "integer") return { ...base, kind: "integer" };
  if (type === "number") return { ...base, kind: "number" };
  if (def === "languageTag") return { ...base, kind: "language" };
  if (def === "markdown") return { ...base, kind: "markdown" };
  if (def && TEXTAREA_DEFS.has(def)) return { ...base, kind: "textarea" };
  if (def === "httpUrl") return { ...base, kind: "url" };
  if (def === "email") return { ...base, kind: "email" };
  if (def === "date") return { ...base, kind: "date" };
  return { ...base, kind: "text" };
}

const cache = new Map<string, readonly FieldSpec[]>();

/**
 * The form fields of a document type, in schema order: documentCore's properties, then the
 * type's own, without the fields the node manages.
 */
export function fieldsForType(type: string): readonly FieldSpec[] {
  const hit = cache.get(type);
  if (hit) return hit;
  if (!isDocumentType(type)) throw new TypeError(`unknown document type ${type}`);
  const file = SCHEMA_FILE_BY_TYPE[type];
  const typeSchema = schemas.get(file)!;
  const core = resolve({ $ref: typeSchema.$ref as string }, file).schema;
  const coreProps = (core.properties ?? {}) as Record<string, Schema>;
  const ownProps = (typeSchema.properties ?? {}) as Record<string, Schema>;
  const required = new Set([...((core.required as string[]) ?? []), ...((typeSchema.required as string[]) ?? [])]);
  const names = [...new Set([...Object.keys(coreProps), ...Object.keys(ownProps)])].filter((n) => !NOT_IN_FORMS.has(n));
  // Links last: they relate this item to others once its content is written.
  names.sort((a, b) => Number(a === "links") - Number(b === "links"));
  const fields = names.map((n) => {
    const coreSchema = coreProps[n] ?? {};
    const own = ownProps[n];
    const merged = own ? { ...coreSchema, ...own } : coreSchema;
    return fieldFor(n, merged, own ? file : COMMON_SCHEMA_FILE, required.has(n));
  });
  cache.set(type, fields);
  return fields;
}
