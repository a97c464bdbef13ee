/* Program and library version. */
#ifndef COHESIM_VERSION_H
#define COHESIM_VERSION_H

#define COH_VERSION "0.1.0"

#endif
