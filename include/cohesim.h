/* cohesim: alliance-cohesion simulation.  The umbrella header of the public
 * API; each module has its own header in include/cohesim/. */
#ifndef COHESIM_H
#define COHESIM_H

#include "cohesim/version.h"
#include "cohesim/error.h"
#include "cohesim/date.h"
#include "cohesim/model.h"
#include "cohesim/scenario.h"
#include "cohesim/sim.h"
#include "cohesim/mc.h"
#include "cohesim/qoi.h"
#include "cohesim/attribute.h"
#include "cohesim/ledger.h"
#include "cohesim/output.h"
#include "cohesim/report.h"
#include "cohesim/plot.h"
#include "cohesim/sweep.h"
#include "cohesim/sensitivity.h"
#include "cohesim/import.h"

#endif
