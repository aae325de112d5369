// libbpf side of `npm run bench`: time btf__parse and btf__find_by_name_kind in-process.
// Usage: libbpf-btf BTF_FILE NAMES_FILE ROUNDS
// NAMES_FILE has one struct name per line; the first line is the single-lookup name, the
// next lines the names of the 100-lookup run.
// Prints one JSON object: medians in microseconds.
#include <bpf/btf.h>
#include <linux/btf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: %s BTF NAMES ROUNDS\n", argv[0]);
		return 2;
	}
	const char *path = argv[1];
	int rounds = atoi(argv[3]);
	char *names[1024];
	int nnames = 0;
	char line[512];
	FILE *f = fopen(argv[2], "r");
	if (!f) { perror("names"); return 1; }
	while (nnames < 1024 && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (line[0]) names[nnames++] = strdup(line);
	}
	fclose(f);

	double *open_t = calloc(rounds, sizeof(double));
	double *first_t = calloc(rounds, sizeof(double));
	double *hundred_t = calloc(rounds, sizeof(double));
	double *later_t = calloc(rounds, sizeof(double));
	long found = 0;
	for (int r = 0; r < rounds; r++) {
		double t0 = now_us();
		struct btf *btf = btf__parse(path, NULL);
		double t1 = now_us();
		if (!btf) { fprintf(stderr, "btf__parse failed\n"); return 1; }
		found += btf__find_by_name_kind(btf, names[0], BTF_KIND_STRUCT) > 0;
		double t2 = now_us();
		for (int i = 1; i < nnames && i <= 100; i++)
			found += btf__find_by_name_kind(btf, names[i], BTF_KIND_STRUCT) > 0;
		double t3 = now_us();
		open_t[r] = t1 - t0;
		first_t[r] = t2 - t0;
		hundred_t[r] = (t1 - t0) + (t3 - t2);
		// libbpf scans on every lookup, so a "later" lookup costs what any lookup costs:
		// the mean over the names (spread over the whole type table).
		later_t[r] = (t3 - t2) / (nnames - 1 < 100 ? nnames - 1 : 100);
		btf__free(btf);
	}
	printf("{\"open_us\":%.1f,\"open_first_us\":%.1f,\"open_100_us\":%.1f,\"later_lookup_us\":%.2f,\"names\":%d,\"found\":%ld}\n",
	       median(open_t, rounds), median(first_t, rounds), median(hundred_t, rounds),
	       median(later_t, rounds), nnames - 1 < 100 ? nnames - 1 : 100, found);
	return 0;
}
