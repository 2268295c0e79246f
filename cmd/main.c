#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--version")) {
		printf("jra %s\n", JRA_VERSION);
		return 0;
	}
	fprintf(stderr, "usage: jra <command> [options] [args]\n");
	return 64;
}
