/*
 * ipmi_config.c — the ipmi plugin's configuration keys and their parsing.
 */
#include "ipmi_config.h"

#include <errno.h>
#include <freeipmi/freeipmi.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ipmi_password.h"
#include "ipmi_reading_config.h"
#include "ipmi_workarounds.h"

const struct energy_config_key ipmi_config_keys[] = {
	{"ipmi_host", ENERGY_CONFIG_STRING, 0, "localhost",
	 "BMC host name or address, optionally host:port; \"localhost\" with no username means this machine's BMC in-band"},
	{"ipmi_username", ENERGY_CONFIG_STRING, 0, "(none)", "BMC user name for lan/lanplus"},
	{"ipmi_password", ENERGY_CONFIG_STRING, 1, "(none)",
	 "BMC password in the configuration (seed compatibility; prefer ipmi_password_file or ipmi_password_env)"},
	{"ipmi_password_file", ENERGY_CONFIG_STRING, 0, "(none)",
	 "file whose first line is the BMC password (keep it mode 600)"},
	{"ipmi_password_env", ENERGY_CONFIG_STRING, 0, "(none)",
	 "name of an environment variable holding the BMC password"},
	{"ipmi_interface", ENERGY_CONFIG_STRING, 0, "lanplus",
	 "lanplus (IPMI 2.0), lan (IPMI 1.5), auto (lanplus, else lan), inband/openipmi (/dev/ipmi0), kcs, ssif, sunbmc"},
	{"ipmi_cipher_suite", ENERGY_CONFIG_NUMBER, 0, "3", "IPMI 2.0 cipher suite id (3: HMAC-SHA1, HMAC-SHA1-96, AES-CBC-128)"},
	{"ipmi_privilege", ENERGY_CONFIG_STRING, 0, "admin",
	 "privilege level to request: admin (as ipmitool and ipmi-dcmi), operator, or user (enough on most BMCs)"},
	{"ipmi_workarounds", ENERGY_CONFIG_STRING_LIST, 0, "(none)",
	 "FreeIPMI workaround flags, e.g. opensesspriv (needed by OpenIPMI's ipmi_sim), intel20, supermicro20, sun20, authcap"},
	{"ipmi_use_sudo", ENERGY_CONFIG_BOOL, 0, "false",
	 "accepted for seed compatibility and ignored: the plugin talks to the BMC in-process and never runs sudo"},
	{"ipmi_power_source", ENERGY_CONFIG_STRING, 0, "auto",
	 "dcmi (DCMI Get Power Reading), sdr (sum of SDR Watts sensors) or auto (dcmi, else sdr)"},
	{"ipmi_power_sensors", ENERGY_CONFIG_STRING_LIST, 0, "(PSU input rule)",
	 "SDR Watts sensors to sum for the sdr power source; default: Watts sensors named like PSU/PS<n>/Power Supply and not Out"},
	{"ipmi_sensors", ENERGY_CONFIG_BOOL, 0, "true", "also record temperature, voltage, current and fan sensors from the SDR"},
	{"ipmi_sensor_interval", ENERGY_CONFIG_NUMBER, 0, "5 x sampling interval",
	 "seconds between two readings of the environmental sensors"},
	{"ipmi_sdr_cache_dir", ENERGY_CONFIG_STRING, 0, "$XDG_CACHE_HOME/energymon/sdr",
	 "directory for SDR caches (one per host:port, refreshed when the BMC's SDR changes); \"\" for none"},
	{"ipmi_timeout", ENERGY_CONFIG_NUMBER, 0, "2", "seconds to wait for the BMC per session setup or request"},
	{"ipmi_wait_for_bmc", ENERGY_CONFIG_BOOL, 0, "true under energymond, false for a command",
	 "create() does not wait for the BMC: it is reached in the background, sample() fails with the reason "
	 "until it answers"},
	{"ipmi_session_refresh", ENERGY_CONFIG_NUMBER, 0, "25",
	 "seconds a session may stay idle before it is replaced (BMCs drop idle sessions after about 60 s); "
	 "on lan/lanplus also at most ipmi_timeout less one retransmission (FreeIPMI's limit)"},
	{"ipmi_power_reading", ENERGY_CONFIG_STRING, 0, "instantaneous",
	 "DCMI figure to record: instantaneous (current power) or average (over the BMC's statistics period)"},
	{"ipmi_max_power_w", ENERGY_CONFIG_NUMBER, 0, "(none)",
	 "most this server can draw, in W: bounds bursts between BMC refreshes when the BMC reports no maximum"},
	{"ipmi_end_lookahead", ENERGY_CONFIG_BOOL, 0, "true",
	 "at stop, wait (at most 4.5 s) for the BMC's next refresh, so the bound of the last seconds is measured, not assumed"},
	{NULL, 0, 0, NULL, NULL}
};

/* The host's convention: 0, -ENOENT when the key is not set, or another
 * -errno with `why` naming the key: a value the host could not hand over is
 * an error, never taken for "not set" (which would use the default). */
static int get(const struct energy_host *host, const char *key, struct energy_config_value *v, char *why,
	       size_t why_len)
{
	memset(v, 0, sizeof(*v));
	int rc = host->config_get(host->ctx, key, v);
	if (rc != 0 && rc != -ENOENT)
		snprintf(why, why_len, "configuration key %s cannot be read: %s", key, strerror(-rc));
	return rc;
}

int ipmi_config_get_string(const struct energy_host *host, const char *key, const char *fallback,
			   const char **out, char *why, size_t why_len)
{
	struct energy_config_value v;
	int rc = get(host, key, &v, why, why_len);
	*out = rc == 0 && v.string ? v.string : fallback;
	return rc == -ENOENT ? 0 : rc;
}

static int copy_checked(char *dst, size_t len, const char *src, const char *key, char *why, size_t why_len)
{
	if (strlen(src) >= len) {
		snprintf(why, why_len, "%s is too long (at most %zu characters)", key, len - 1);
		return -EINVAL;
	}
	memcpy(dst, src, strlen(src) + 1);
	return 0;
}

static int parse_workarounds(const struct energy_host *host, struct ipmi_config *cfg, char *why, size_t why_len)
{
	struct energy_config_value v;
	int rc = get(host, "ipmi_workarounds", &v, why, why_len);
	if (rc)
		return rc == -ENOENT ? 0 : rc;
	for (size_t i = 0; i < v.list_len; i++)
		if (ipmi_workaround_add(cfg, v.list[i], why, why_len))
			return -EINVAL;
	return 0;
}

/* The seed monitored "this machine" when ipmi_host was localhost and no
 * username was given, whatever ipmi_interface said; keep that meaning. */
static int means_this_machine(const struct ipmi_config *cfg)
{
	return cfg->username[0] == '\0' && (cfg->host[0] == '\0' || strcasecmp(cfg->host, "localhost") == 0);
}

static int parse_link(const struct energy_host *host, struct ipmi_config *cfg, char *why, size_t why_len)
{
	static const struct { const char *name; enum ipmi_link link; const char *canonical; } links[] = {
		{"lanplus", IPMI_LINK_LANPLUS, "lanplus"}, {"lan_2_0", IPMI_LINK_LANPLUS, "lanplus"},
		{"lan", IPMI_LINK_LAN, "lan"}, {"auto", IPMI_LINK_LAN_AUTO, "auto"},
		{"inband", IPMI_LINK_OPENIPMI, "openipmi"}, {"openipmi", IPMI_LINK_OPENIPMI, "openipmi"},
		{"open", IPMI_LINK_OPENIPMI, "openipmi"}, {"kcs", IPMI_LINK_KCS, "kcs"},
		{"ssif", IPMI_LINK_SSIF, "ssif"}, {"sunbmc", IPMI_LINK_SUNBMC, "sunbmc"},
	};
	const char *name;
	int rc = ipmi_config_get_string(host, "ipmi_interface", "lanplus", &name, why, why_len);
	if (rc)
		return rc;
	size_t i = 0;
	while (i < sizeof(links) / sizeof(links[0]) && strcasecmp(links[i].name, name) != 0)
		i++;
	if (i == sizeof(links) / sizeof(links[0])) {
		snprintf(why, why_len, "ipmi_interface \"%s\" is not one of lanplus, lan, auto, inband, openipmi, "
			 "kcs, ssif, sunbmc", name);
		return -EINVAL;
	}
	cfg->link = links[i].link;
	cfg->link_name = links[i].canonical;
	if (ipmi_link_is_remote(cfg->link) && means_this_machine(cfg)) {
		host->log(host->ctx, ENERGY_LOG_INFO, "ipmi_host is localhost and no ipmi_username is set: "
			  "using this machine's BMC through the kernel IPMI driver, not %s", cfg->link_name);
		cfg->link = IPMI_LINK_OPENIPMI;
		cfg->link_name = "openipmi";
	}
	if (!ipmi_link_is_remote(cfg->link) && !means_this_machine(cfg)) {
		snprintf(why, why_len, "ipmi_interface %s reaches this machine's BMC only; unset ipmi_host "
			 "(\"%s\") and ipmi_username, or choose lanplus", cfg->link_name, cfg->host);
		return -EINVAL;
	}
	return 0;
}

static int parse_privilege(const struct energy_host *host, struct ipmi_config *cfg, char *why, size_t why_len)
{
	const char *name;
	int rc = ipmi_config_get_string(host, "ipmi_privilege", "admin", &name, why, why_len);
	if (rc)
		return rc;
	if (strcasecmp(name, "user") == 0)
		cfg->privilege = IPMI_PRIVILEGE_LEVEL_USER, cfg->privilege_name = "user";
	else if (strcasecmp(name, "operator") == 0)
		cfg->privilege = IPMI_PRIVILEGE_LEVEL_OPERATOR, cfg->privilege_name = "operator";
	else if (strcasecmp(name, "admin") == 0 || strcasecmp(name, "administrator") == 0)
		cfg->privilege = IPMI_PRIVILEGE_LEVEL_ADMIN, cfg->privilege_name = "admin";
	else {
		snprintf(why, why_len, "ipmi_privilege \"%s\" is not one of user, operator, admin", name);
		return -EINVAL;
	}
	return 0;
}

static int parse_power(const struct energy_host *host, struct ipmi_config *cfg, char *why, size_t why_len)
{
	const char *name;
	int rc = ipmi_config_get_string(host, "ipmi_power_source", "auto", &name, why, why_len);
	if (rc)
		return rc;
	if (strcasecmp(name, "auto") == 0)
		cfg->power = IPMI_POWER_AUTO;
	else if (strcasecmp(name, "dcmi") == 0)
		cfg->power = IPMI_POWER_DCMI;
	else if (strcasecmp(name, "sdr") == 0)
		cfg->power = IPMI_POWER_SDR;
	else {
		snprintf(why, why_len, "ipmi_power_source \"%s\" is not one of auto, dcmi, sdr", name);
		return -EINVAL;
	}
	struct energy_config_value v;
	if ((rc = get(host, "ipmi_power_sensors", &v, why, why_len)))
		return rc == -ENOENT ? 0 : rc;
	if (v.list_len > IPMI_POWER_SENSORS_MAX) {
		snprintf(why, why_len, "ipmi_power_sensors lists %zu sensors; at most %d", v.list_len,
			 IPMI_POWER_SENSORS_MAX);
		return -EINVAL;
	}
	for (size_t i = 0; i < v.list_len; i++)
		if (copy_checked(cfg->power_sensors[i], ENERGY_NAME_MAX, v.list[i], "ipmi_power_sensors",
				 why, why_len))
			return -EINVAL;
	cfg->npower_sensors = v.list_len;
	return 0;
}

/* A number key: `fallback` when not set, refused outside [min, max] (or
 * (min, max] with above_min), or when not whole with `whole`. */
struct number_key {
	const char *key;
	double fallback, min, max;
	int above_min, whole;
	const char *unit;     /* after the value in the message: "s", or "" */
	const char *accepted; /* for the message */
};

static int get_number(const struct energy_host *host, const struct number_key *k, double *out, char *why,
		      size_t why_len)
{
	struct energy_config_value v;
	int rc = get(host, k->key, &v, why, why_len);
	*out = k->fallback;
	if (rc)
		return rc == -ENOENT ? 0 : rc;
	double x = v.number;
	if (!(k->above_min ? x > k->min : x >= k->min) || !(x <= k->max) || (k->whole && x != floor(x))) {
		snprintf(why, why_len, "%s is %g%s%s; accepted: %s", k->key, x, k->unit[0] ? " " : "", k->unit,
			 k->accepted);
		return -EINVAL;
	}
	*out = x;
	return 0;
}

/* The key's bool into *out (`fallback` when not set), and whether it was set. */
static int get_bool(const struct energy_host *host, const char *key, int fallback, int *out, int *given,
		    char *why, size_t why_len)
{
	struct energy_config_value v;
	int rc = get(host, key, &v, why, why_len);
	*out = rc == 0 ? v.boolean != 0 : fallback;
	if (given)
		*given = rc == 0;
	return rc == -ENOENT ? 0 : rc;
}

static int parse_numbers(const struct energy_host *host, struct ipmi_config *cfg, char *why, size_t why_len)
{
	static const struct number_key cipher = {"ipmi_cipher_suite", 3, 0, 17, 0, 1, "",
						 "an IPMI 2.0 cipher suite id, 0 to 17"};
	static const struct number_key timeout = {"ipmi_timeout", 2, 0.1, 600, 0, 0, "s", "0.1 to 600 s"};
	static const struct number_key refresh = {"ipmi_session_refresh", 25, 0.1, 3600, 0, 0, "s",
						  "0.1 to 3600 s"};
	/* 0: five times the power interval */
	static const struct number_key sensor_interval = {"ipmi_sensor_interval", 0, 0, 86400, 1, 0, "s",
							  "above 0 s, at most 86400 s (a day)"};
	double cipher_suite;
	int rc = get_number(host, &cipher, &cipher_suite, why, why_len);
	cfg->cipher_suite = (uint8_t)cipher_suite;
	if (!rc)
		rc = get_number(host, &timeout, &cfg->timeout_s, why, why_len);
	if (!rc)
		rc = get_number(host, &refresh, &cfg->session_refresh_s, why, why_len);
	if (!rc)
		rc = get_number(host, &sensor_interval, &cfg->sensor_interval_s, why, why_len);
	if (!rc)
		rc = get_bool(host, "ipmi_sensors", 1, &cfg->sensors, NULL, why, why_len);
	int ignored, wait_given = 0;
	if (!rc)
		rc = get_bool(host, "ipmi_wait_for_bmc", 0, &cfg->wait_for_bmc, &wait_given, why, why_len);
	if (!rc && !wait_given)
		cfg->wait_for_bmc = -1;
	if (!rc)
		rc = get_bool(host, "ipmi_use_sudo", 0, &ignored, &cfg->use_sudo_given, why, why_len);
	return rc;
}

static void default_cache_dir(char *out, size_t len)
{
	const char *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	if (xdg && xdg[0] == '/')
		snprintf(out, len, "%s/energymon/sdr", xdg);
	else if (home && home[0] == '/')
		snprintf(out, len, "%s/.cache/energymon/sdr", home);
	else
		out[0] = '\0';
}

int ipmi_link_is_remote(enum ipmi_link link)
{
	return link == IPMI_LINK_LANPLUS || link == IPMI_LINK_LAN || link == IPMI_LINK_LAN_AUTO;
}

int ipmi_config_load(const struct energy_host *host, struct ipmi_config *cfg, char *why, size_t why_len)
{
	memset(cfg, 0, sizeof(*cfg));
	const char *text;
	int rc = ipmi_config_get_string(host, "ipmi_host", "localhost", &text, why, why_len);
	if (!rc)
		rc = copy_checked(cfg->host, sizeof(cfg->host), text, "ipmi_host", why, why_len);
	if (!rc)
		rc = ipmi_config_get_string(host, "ipmi_username", "", &text, why, why_len);
	if (!rc)
		rc = copy_checked(cfg->username, sizeof(cfg->username), text, "ipmi_username", why, why_len);
	if (!rc)
		rc = parse_link(host, cfg, why, why_len);
	if (!rc)
		rc = parse_privilege(host, cfg, why, why_len);
	if (!rc)
		rc = parse_workarounds(host, cfg, why, why_len);
	if (!rc)
		rc = parse_power(host, cfg, why, why_len);
	if (!rc)
		rc = parse_numbers(host, cfg, why, why_len);
	if (!rc)
		rc = ipmi_reading_config_load(host, cfg, why, why_len);
	if (!rc && !(rc = ipmi_config_get_string(host, "ipmi_sdr_cache_dir", NULL, &text, why, why_len))) {
		if (text)
			rc = copy_checked(cfg->sdr_cache_dir, sizeof(cfg->sdr_cache_dir), text, "ipmi_sdr_cache_dir",
					  why, why_len);
		else
			default_cache_dir(cfg->sdr_cache_dir, sizeof(cfg->sdr_cache_dir));
	}
	if (!rc && ipmi_link_is_remote(cfg->link)) {
		/* IPMI 1.5 passwords are at most 16 bytes, 2.0 ones 20. */
		size_t max = cfg->link == IPMI_LINK_LAN ? 17 : sizeof(cfg->password);
		rc = ipmi_password_load(host, cfg->password, max, cfg->password_origin,
					sizeof(cfg->password_origin), cfg->password_warning,
					sizeof(cfg->password_warning), why, why_len);
	}
	if (rc)
		ipmi_config_wipe(cfg);
	return rc;
}

void ipmi_config_wipe(struct ipmi_config *cfg)
{
	explicit_bzero(cfg->password, sizeof(cfg->password));
}
