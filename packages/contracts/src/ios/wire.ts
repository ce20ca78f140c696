import { z } from "zod";
import { WireDate } from "../api.ts";
import { WIRE_DATE_PATTERN } from "../dates.ts";

/**
 * The app's date decoder (iOS 17/18 Foundation) rejects fractional seconds, so its dialect checks the core
 * `WireDate` format instead of only describing it.
 */
export const IosWireDate = WireDate.regex(WIRE_DATE_PATTERN, "must be an ISO-8601 UTC date without fractional seconds");

export const int = z.number().int();
