/**
 * Limits on what a person types, shared by the contract's schemas (which refuse more) and the
 * renderer (which says so before sending). Pure constants: the renderer imports this without zod.
 */

/** A search query, in UTF-16 code units (what zod and String.length count; one per Chinese character). */
export const MAX_QUERY_LENGTH = 1000;
/** A custom tag's name. */
export const MAX_TAG_NAME_LENGTH = 100;
/** A folder path as typed. */
export const MAX_FOLDER_PATH_LENGTH = 4096;
