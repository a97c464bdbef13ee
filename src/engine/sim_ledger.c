/* The engine again, compiled with the ledger's bookkeeping in
 * (SIM_LEDGER, see sim_internal.h): coh_sim_run hands a recorder with a
 * ledger callback to the run defined here, so that the ordinary run keeps
 * exactly the instructions it had.  Both copies share the workspace that
 * coh_sim_alloc (in sim.c) makes, and compute the same trajectory.
 * Including sim.c itself, rather than a copy, keeps the two from ever
 * drifting apart. */
#define SIM_LEDGER 1
#include "engine/sim.c" // NOLINT(bugprone-suspicious-include)
