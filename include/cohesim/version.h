/* Program and library version. */
#ifndef COHESIM_VERSION_H
#define COHESIM_VERSION_H

#define COH_VERSION "0.2.0"

#endif
