/* report_driver.c — `energymon report` without the CLI, for trying the
 * report by hand and for tests that run it as a process. */
#include "report.h"

int main(int argc, char **argv)
{
	return report_main(argc, argv);
}
