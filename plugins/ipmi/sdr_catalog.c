/*
 * sdr_catalog.c — pick the SDR records energymon reads (threshold sensors
 * in degrees, Volts, Amps, RPM, Watts) and read one of them on the open
 * session. Only threshold sensors carry a number; discrete ones (presence,
 * state) would need interpretation and are not energy data.
 */
#include "sdr_catalog.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sdr_cache_file.h"

static uint32_t quantity_of(uint8_t base_unit, int *fahrenheit)
{
	*fahrenheit = 0;
	switch (base_unit) {
	case IPMI_SENSOR_UNIT_DEGREES_C: return ENERGY_Q_TEMPERATURE_C;
	case IPMI_SENSOR_UNIT_DEGREES_F: *fahrenheit = 1; return ENERGY_Q_TEMPERATURE_C;
	case IPMI_SENSOR_UNIT_VOLTS: return ENERGY_Q_VOLTAGE_V;
	case IPMI_SENSOR_UNIT_AMPS: return ENERGY_Q_CURRENT_A;
	case IPMI_SENSOR_UNIT_RPM: return ENERGY_Q_FAN_RPM;
	case IPMI_SENSOR_UNIT_WATTS: return ENERGY_Q_POWER_W;
	default: return 0;
	}
}

/* Fill `out` from the record at hand if it is one we read; 0 if skipped. */
static int classify(ipmi_sdr_ctx_t sdr, const uint8_t *rec, unsigned int len, struct sdr_sensor *out)
{
	uint16_t id;
	uint8_t type, code, percentage, modifier, rate, base, modifier_unit;
	if (ipmi_sdr_parse_record_id_and_type(sdr, rec, len, &id, &type) < 0)
		return 0;
	/* Only full records carry the conversion factors that turn a raw byte
	 * into a value in units; a compact record's sensor has no number to read. */
	if (type != IPMI_SDR_FORMAT_FULL_SENSOR_RECORD)
		return 0;
	if (ipmi_sdr_parse_event_reading_type_code(sdr, rec, len, &code) < 0 ||
	    !IPMI_EVENT_READING_TYPE_CODE_IS_THRESHOLD(code))
		return 0;
	if (ipmi_sdr_parse_sensor_units(sdr, rec, len, &percentage, &modifier, &rate, &base, &modifier_unit) < 0)
		return 0;
	/* "% of Watts", "Watts per hour", "Volts * Amps": not the plain unit */
	if (percentage || rate != IPMI_SENSOR_RATE_UNIT_NONE || modifier != IPMI_SDR_MODIFIER_UNIT_NONE)
		return 0;
	memset(out, 0, sizeof(*out));
	out->quantity = quantity_of(base, &out->fahrenheit);
	if (!out->quantity)
		return 0;
	char name[IPMI_SDR_MAX_ID_STRING_LENGTH + 1] = {0};
	if (ipmi_sdr_parse_id_string(sdr, rec, len, name, sizeof(name) - 1) < 0)
		return 0;
	size_t n = strlen(name);
	while (n > 0 && (name[n - 1] == ' ' || name[n - 1] == '\0'))
		name[--n] = '\0';
	if (n == 0)
		return 0;
	snprintf(out->name, sizeof(out->name), "%s", name);
	memcpy(out->record, rec, len);
	out->record_len = len;
	return 1;
}

static int collect(ipmi_sdr_ctx_t sdr, struct sdr_catalog *cat, char *why, size_t why_len)
{
	uint16_t count = 0;
	if (ipmi_sdr_cache_record_count(sdr, &count) < 0 || count == 0)
		return 0;
	cat->sensors = calloc(count, sizeof(*cat->sensors));
	if (!cat->sensors) {
		snprintf(why, why_len, "out of memory for %u SDR records", (unsigned)count);
		return -ENOMEM;
	}
	uint8_t rec[IPMI_SDR_MAX_RECORD_LENGTH];
	if (ipmi_sdr_cache_first(sdr) < 0)
		return 0;
	do {
		int len = ipmi_sdr_cache_record_read(sdr, rec, sizeof(rec));
		if (len > 0 && cat->n < count && classify(sdr, rec, (unsigned int)len, &cat->sensors[cat->n]))
			cat->n++;
	} while (ipmi_sdr_cache_next(sdr) == 1);
	return 0;
}

int sdr_catalog_load(struct sdr_catalog *cat, struct bmc_session *s, const char *cache_dir,
		     char *why, size_t why_len)
{
	memset(cat, 0, sizeof(*cat));
	char file[sizeof(cat->cache_file)];
	int temporary = sdr_cache_path(file, sizeof(file), cache_dir, s, why, why_len);
	if (temporary < 0)
		return temporary;
	ipmi_sdr_ctx_t sdr = ipmi_sdr_ctx_create();
	int rc = -ENOMEM;
	if (!sdr) {
		snprintf(why, why_len, "out of memory for an SDR context");
		goto cleanup;
	}
	rc = sdr_cache_open_fresh(sdr, s, file, &cat->from_cache, why, why_len);
	if (rc == 0)
		rc = collect(sdr, cat, why, why_len);
	ipmi_sdr_cache_close(sdr);
	ipmi_sdr_ctx_destroy(sdr);
cleanup:
	if (temporary) {
		unlink(file);
		char *slash = strrchr(file, '/');
		*slash = '\0';
		rmdir(file);
	} else {
		snprintf(cat->cache_file, sizeof(cat->cache_file), "%s", file);
	}
	if (rc)
		sdr_catalog_free(cat);
	return rc;
}

void sdr_catalog_free(struct sdr_catalog *cat)
{
	free(cat->sensors);
	cat->sensors = NULL;
	cat->n = 0;
}

int sdr_sensor_read(ipmi_sensor_read_ctx_t reader, struct bmc_session *s, const struct sdr_sensor *sensor,
		    double *value, struct ipmi_stamp *when, char *why, size_t why_len)
{
	uint8_t raw = 0;
	double *reading = NULL;
	uint16_t events = 0;
	struct ipmi_stamp begin = ipmi_stamp_begin();
	int rc = ipmi_sensor_read(reader, sensor->record, sensor->record_len, 0, &raw, &reading, &events);
	*when = ipmi_stamp_midpoint(begin);
	if (rc < 0 && ipmi_sensor_read_ctx_errnum(reader) == IPMI_SENSOR_READ_ERR_IPMI_ERROR) {
		char what[ENERGY_NAME_MAX + 32];
		snprintf(what, sizeof(what), "reading sensor \"%s\"", sensor->name);
		return bmc_session_fail(s, what, why, why_len);
	}
	if (rc >= 0)
		bmc_session_used(s);
	if (rc <= 0 || !reading) {
		snprintf(why, why_len, "BMC %s: sensor \"%s\" has no reading now: %s", s->target, sensor->name,
			 ipmi_sensor_read_ctx_errormsg(reader));
		free(reading);
		return -ENODATA;
	}
	*value = sensor->fahrenheit ? (*reading - 32.0) * 5.0 / 9.0 : *reading;
	free(reading);
	return 0;
}
