/*
 * ipmi_config.h — the ipmi plugin's configuration: the declared keys, their
 * parsed values, and where the password comes from.
 */
#ifndef IPMI_CONFIG_H
#define IPMI_CONFIG_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "dcmi_cadence.h"
#include "energy_plugin.h"

/* How the plugin reaches the BMC. */
enum ipmi_link {
	IPMI_LINK_LANPLUS = 1, /* IPMI 2.0 RMCP+ over UDP */
	IPMI_LINK_LAN,         /* IPMI 1.5 over UDP */
	IPMI_LINK_LAN_AUTO,    /* lanplus, falling back to lan when the BMC has no IPMI 2.0 */
	IPMI_LINK_OPENIPMI,    /* the kernel's IPMI driver (/dev/ipmi0) */
	IPMI_LINK_KCS,         /* direct KCS port I/O (root) */
	IPMI_LINK_SSIF,        /* SMBus (/dev/i2c-N) */
	IPMI_LINK_SUNBMC       /* Solaris-style /dev/bmc */
};

enum ipmi_power_choice {
	IPMI_POWER_AUTO = 1, /* DCMI, else SDR Watts sensors */
	IPMI_POWER_DCMI,
	IPMI_POWER_SDR
};

#define IPMI_HOST_MAX 256
#define IPMI_USER_MAX 33      /* IPMI 2.0: 16 bytes; some BMCs allow 32 */
#define IPMI_PASSWORD_MAX 21  /* IPMI 2.0: 20 bytes */
#define IPMI_POWER_SENSORS_MAX 16

struct ipmi_config {
	char host[IPMI_HOST_MAX];      /* as FreeIPMI takes it: "name" or "name:port" */
	char username[IPMI_USER_MAX];  /* empty: none given */
	char password[IPMI_PASSWORD_MAX];
	char password_origin[96];      /* "ipmi_password_file /path", for messages; never the value */
	char password_warning[PATH_MAX + 96]; /* e.g. the file is readable by others; create() logs it */
	enum ipmi_link link;
	const char *link_name;         /* "lanplus", "lan", "openipmi", ... */
	uint8_t cipher_suite;
	uint8_t privilege;             /* IPMI_PRIVILEGE_LEVEL_* */
	const char *privilege_name;
	/* FreeIPMI keeps a separate flag space per link type. */
	unsigned int workarounds_lanplus;
	unsigned int workarounds_lan;
	unsigned int workarounds_inband;
	int use_sudo_given;            /* the seed's key was set: explain once */
	enum ipmi_power_choice power;
	char power_sensors[IPMI_POWER_SENSORS_MAX][ENERGY_NAME_MAX];
	size_t npower_sensors;         /* 0: pick by the PSU input rule */
	int sensors;                   /* read temperature/voltage/current/fan sensors */
	double sensor_interval_s;      /* 0: five times the power interval */
	char sdr_cache_dir[512];
	double timeout_s;
	double session_refresh_s;      /* replace a session idle longer than this */
	int wait_for_bmc;              /* 1/0 as set; -1 not set: on for a continuous monitor */
	enum dcmi_power_choice power_reading; /* which DCMI figure is the reading */
	double max_power_w;            /* the user's ceiling for unseen bursts; 0: not set */
	int end_lookahead;             /* ipmi_end_lookahead: wait for one more refresh at stop */
};

/* The declared keys, terminated by a NULL name. */
extern const struct energy_config_key ipmi_config_keys[];

/* Read every key through host->config_get, apply defaults, read the password
 * from its one source. Returns 0, or -EINVAL / -ENOENT / -EACCES with `why`
 * naming the key or file. Never puts the password in `why`. */
int ipmi_config_load(const struct energy_host *host, struct ipmi_config *cfg, char *why, size_t why_len);

/* The string key `key` into *out, or `fallback` when it is not set. Returns
 * 0, or the host's -errno with `why` naming the key. */
int ipmi_config_get_string(const struct energy_host *host, const char *key, const char *fallback,
			   const char **out, char *why, size_t why_len);

/* Overwrite the password in memory. */
void ipmi_config_wipe(struct ipmi_config *cfg);

/* True when the link is a network one (needs a host, may need a user). */
int ipmi_link_is_remote(enum ipmi_link link);

#endif
