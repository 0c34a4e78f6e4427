import { z } from "zod";

/**
 * The `schema_version` every exchanged document carries (the contract bundle's is `bundle_version`). Documents
 * written before the field existed have none: an absent version reads as 1, the shape they were written in.
 * Writers always write it; a reader refuses any other number, so a document from a newer writer fails loudly.
 */
export const SCHEMA_VERSION = 1 as const;

export const schemaVersion = z
  .literal(SCHEMA_VERSION)
  .optional()
  .describe("the document's schema version; absent in documents written before it existed (= 1)");
