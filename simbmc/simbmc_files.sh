# simbmc_files.sh — sourced by simbmc.sh: the text of the files a simulated
# BMC's directory holds (lan.conf, sim.emu, the SDR source) and the sensor
# value conversion, all derived from sensors.tsv ($table). Expects $table,
# $bmc_name and $poll_ms to be set.
# shellcheck shell=bash disable=SC2154

# Raw byte for an engineering value, from the sensor's row in the table.
raw_for() { # NAME VALUE
	awk -F'\t' -v name="$1" -v v="$2" '
		/^#/ { next }
		$2 == name {
			found = 1
			raw = (v / 10 ^ $9 - $7 * 10 ^ $8) / $6
			r = int(raw + (raw < 0 ? -0.5 : 0.5))
			if (r < 0 || r > 255) {
				lo = ($7 * 10 ^ $8) * 10 ^ $9
				hi = (255 * $6 + $7 * 10 ^ $8) * 10 ^ $9
				printf "value %s is outside %s..%s %s for \"%s\"\n", v, lo, hi, $5, name > "/dev/stderr"
				exit 3
			}
			print $3 "\t" r
		}
		END { if (!found) { printf "no sensor named \"%s\" in %s\n", name, FILENAME > "/dev/stderr"; exit 4 } }
	' "$table"
}

sdr_text() { # the SDR repository, in sdrcomp's input language
	awk -F'\t' -v id="$bmc_name" '
		BEGIN {
			print "sdr type 18"
			print "\tdevice_slave_address 0x20"
			print "\tdevice_channel_number 0"
			print "\tchassis true"
			print "\tipmb_event_gen false"
			print "\tipmb_event_recv false"
			print "\tfru_inventory false"
			print "\tsel true"
			print "\tsdr true"
			print "\tsensor true"
			print "\tentity_id system_board"
			print "\tentity_instance 1"
			printf "\tid_string \"%s\"\n", id
			print "endsdr"
		}
		/^#/ { next }
		{
			print "sdr type 1"
			print "\tsensor_owner_id 0x20"
			print "\tsensor_owner_lun 0"
			print "\tchannel_number 0"
			printf "\tsensor_number %d\n", $1
			print "\tentity_id system_board"
			print "\tentity_instance 1"
			printf "\tsensor_type %s\n", $4
			print "\tinit_scanning true"
			print "\tinit_sensor_type true"
			print "\tdefault_sensor_scan_on true"
			print "\tevent_reading_type_code 1"
			print "\tanalog_data_format unsigned"
			print "\trate_unit none"
			print "\tmodifier_unit none"
			print "\tpercentage false"
			printf "\tbase_unit %s\n", $5
			print "\tmodifier_unit_code unspecified"
			print "\tlinearization linear"
			printf "\tm %d\n\tb %d\n\tb_exp %d\n\tr_exp %d\n", $6, $7, $8, $9
			print "\ttolerance 0"
			print "\taccuracy 1"
			print "\taccuracy_exp 0"
			print "\tsensor_direction input"
			print "\tsensor_maximum 255"
			print "\tsensor_minimum 0"
			printf "\tid_string \"%s\"\n", $2
			print "endsdr"
		}
	' "$table"
}

# With NOPOLL=1 the sensors are set once from their files (sensor_set_value)
# and never polled: a fleet of simulators then costs no CPU when idle.
emu_text() { # DIR NOPOLL: ipmi_sim's command file: the BMC and its sensors
	awk -F'\t' -v dir="$1" -v nopoll="${2:-0}" -v ms="$poll_ms" '
		BEGIN {
			code["Temperature"] = "0x01"; code["Voltage"] = "0x02"
			code["Current"] = "0x03"; code["Fan"] = "0x04"
			code["Other_Units_Based_Sensor"] = "0x0b"
			print "mc_setbmc 0x20"
			print "mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr"
			print "sel_enable 0x20 1000 0x0a"
		}
		/^#/ { next }
		nopoll == 1 {
			raw = 0
			file = dir "/sensors/" $3
			if ((getline raw < file) <= 0) raw = 0
			close(file)
			printf "sensor_add 0x20 0 %d %s 0x01\n", $1, code[$4]
			printf "sensor_set_value 0x20 0 %d %d 0\n", $1, raw
			next
		}
		{ printf "sensor_add 0x20 0 %d %s 0x01 poll %d file \"%s/sensors/%s\"\n", $1, code[$4], ms, dir, $3 }
		END { print "mc_enable 0x20" }
	' "$table"
}

lan_conf() { # DIR PORT USER PASSWORD MODULE OPTIONS (MODULE empty: no DCMI)
	cat <<EOF
# Written by simbmc.sh; holds passwords: keep mode 0600.
name "$bmc_name"
set_working_mc 0x20
  startlan 1
    addr 127.0.0.1 $2
    priv_limit admin
    allowed_auths_callback none md2 md5 straight
    allowed_auths_user md2 md5 straight
    allowed_auths_operator md2 md5 straight
    allowed_auths_admin md2 md5 straight
    guid a123456789abcdefa123456789abcdef
  endlan
  user 2 true "$3" "$4" admin 10 md2 md5 straight
  user 3 true "viewer" "$4" user 10 md2 md5 straight
EOF
	if [[ -n $5 ]]; then
		printf 'loadlib "%s" "%s"\n' "$5" "$6"
	fi
}
