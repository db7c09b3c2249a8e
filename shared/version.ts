/**
 * The scanner's name and version, stamped into every report. Kept equal to package.json's
 * version by a test.
 *
 * @module
 */
export const SCANNER_NAME = 'pushscan'
export const SCANNER_VERSION = '0.1.0'
