// SPDX-License-Identifier: (MIT OR GPL-2.0)
/* The floor of the attach mechanism: a tp_btf/sched_switch program that
 * does nothing. What the plugin adds beyond this is its own work. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual MIT/GPL";

SEC("tp_btf/sched_switch")
int BPF_PROG(empty_switch)
{
	return 0;
}
