/**
 * tajo: the operator's command line for the Tajo API (README, "CLI").
 *   npm run tajo -- jobs list        or, as the package's bin,  tajo jobs list
 */
import { run } from './run.ts';

process.exitCode = await run(process.argv.slice(2));
