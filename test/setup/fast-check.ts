/**
 * Property tests draw random inputs. On CI they draw the same ones every run (a fixed seed), so that a
 * red build is reproducible and caused by the change under test; elsewhere each run draws new ones,
 * which is how new counterexamples are found. CI_BGSAFE_PROPERTY_SEED picks a seed anywhere (fast-check
 * prints the seed of every failure), and CI_BGSAFE_PROPERTY_RUNS searches deeper where a test reads it.
 */
import fc from 'fast-check';

const seed = process.env.CI_BGSAFE_PROPERTY_SEED ?? (process.env.CI ? '20261207' : undefined);
if (seed !== undefined) fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: Number(seed) });
