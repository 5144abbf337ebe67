"""energymond, prometheus-ipmi-exporter and a Prometheus server on loopback,
each configured from files in a private (0700) directory: no secret is ever
on a command line. Configuration files are written as JSON, which YAML
readers (Prometheus, ipmi_exporter) accept as it is."""

import json
import os
import urllib.parse

from stack_processes import free_tcp_port, http_get, wait_until

PROMETHEUS = "/usr/bin/prometheus"
IPMI_EXPORTER = "/usr/bin/prometheus-ipmi-exporter"
FREEIPMI_TOOLS = ("ipmi-dcmi", "ipmimonitoring", "ipmi-sensors")


def missing_programs():
    """Why the stack cannot run here, or None."""
    if not os.access(PROMETHEUS, os.X_OK):
        return "%s is not installed (Debian: prometheus)" % PROMETHEUS
    if not os.access(IPMI_EXPORTER, os.X_OK):
        return "%s is not installed (Debian: prometheus-ipmi-exporter)" % IPMI_EXPORTER
    for tool in FREEIPMI_TOOLS:
        if not os.access(os.path.join("/usr/sbin", tool), os.X_OK):
            return "/usr/sbin/%s is not installed (Debian: freeipmi-tools)" % tool
    return None


def write_private(path, text):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)


def energymond_config(fleet, interval_s, sensors, sdr_cache_dir):
    """One energymond config with an `ipmi:NAME` section per BMC."""
    config = {"lithops": {"energy_strategy": ["ipmi:" + bmc.name for bmc in fleet.bmcs]},
              "energy_sampling_interval": interval_s,
              "ipmi_workarounds": ["opensesspriv"],
              "ipmi_sdr_cache_dir": sdr_cache_dir,
              "ipmi_sensors": sensors}
    if sensors:
        config["ipmi_sensor_interval"] = interval_s
    for bmc in fleet.bmcs:
        config["ipmi:" + bmc.name] = {"ipmi_host": bmc.host, "ipmi_username": bmc.user,
                                      "ipmi_password_file": bmc.password_file}
    return config


def start_energymond(supervisor, energymond, work_dir, fleet, interval_s, sensors, setup=None):
    """Starts energymond with its exposition on an ephemeral loopback port;
    returns the port once it listens."""
    config_file = os.path.join(work_dir, "energymond.json")
    sdr_cache = os.path.join(work_dir, "sdr-cache")
    write_private(config_file, json.dumps(energymond_config(fleet, interval_s, sensors, sdr_cache)))
    run_dir = os.path.join(work_dir, "run")
    os.mkdir(run_dir, 0o755)
    port_file = os.path.join(work_dir, "energymond.port")
    supervisor.start("energymond", [energymond, "--config", config_file,
                                    "--socket", os.path.join(run_dir, "energymond.sock"),
                                    "--listen", "127.0.0.1:0", "--listen-port-file", port_file],
                     setup=setup)

    def port():
        supervisor.check_alive("energymond")
        try:
            with open(port_file) as f:
                text = f.read()
        except FileNotFoundError:
            return None
        return int(text) if text.endswith("\n") else None
    return wait_until("energymond writes %s" % port_file, port, 60)


def ipmi_exporter_config(fleet, collectors):
    # One module per BMC, named as the BMC: the exporter's documented way
    # for targets with their own credentials.
    modules = {}
    for bmc in fleet.bmcs:
        with open(bmc.password_file) as f:
            password = f.readline().rstrip("\n")
        modules[bmc.name] = {"user": bmc.user, "pass": password, "driver": "LAN_2_0",
                             "privilege": "admin", "timeout": 10000,
                             "workaround_flags": ["opensesspriv"],
                             "collectors": list(collectors)}
    return {"modules": modules}


def start_ipmi_exporter(supervisor, work_dir, fleet, collectors, name="ipmi_exporter",
                        setup=None):
    """Starts prometheus-ipmi-exporter (multi-target mode, its config 0600);
    returns its port. Its temporary FreeIPMI config files, which hold the
    passwords, go to work_dir (TMPDIR)."""
    config_file = os.path.join(work_dir, name + ".yml")
    write_private(config_file, json.dumps(ipmi_exporter_config(fleet, collectors)))
    env = dict(os.environ, TMPDIR=work_dir)
    env.pop("LD_PRELOAD", None)
    for _ in range(3):
        port = free_tcp_port()
        supervisor.start(name, [IPMI_EXPORTER, "--config.file=" + config_file,
                                "--web.listen-address=127.0.0.1:%d" % port,
                                "--freeipmi.path=/usr/sbin"], env=env, setup=setup)
        try:
            wait_until("%s answers on port %d" % (name, port),
                       lambda: supervisor.children[name].poll() is not None
                       or http_get("http://127.0.0.1:%d/" % port)[0] == 200, 20)
        except TimeoutError:
            supervisor.stop(name)
            raise
        if supervisor.children[name].poll() is None:
            return port
        supervisor.stop(name)  # lost the port to someone else: try another
    raise RuntimeError("%s did not start; its log ends:\n%s" % (name, supervisor.log_tail(name)))


def prometheus_config(energymond_port, exporter_port, fleet):
    jobs = [{"job_name": "energymond",
             # energymond's own `instance` label (the plugin instance) is kept.
             "honor_labels": True,
             "static_configs": [{"targets": ["127.0.0.1:%d" % energymond_port]}]}]
    for bmc in fleet.bmcs:
        jobs.append({"job_name": "ipmi_" + bmc.name, "metrics_path": "/ipmi",
                     "params": {"module": [bmc.name]},
                     "static_configs": [{"targets": [bmc.host], "labels": {"bmc": bmc.name}}],
                     "relabel_configs": [
                         {"source_labels": ["__address__"], "target_label": "__param_target"},
                         {"source_labels": ["__param_target"], "target_label": "instance"},
                         {"target_label": "__address__",
                          "replacement": "127.0.0.1:%d" % exporter_port}]})
    return {"global": {"scrape_interval": "1s", "scrape_timeout": "900ms",
                       "evaluation_interval": "1m"},
            "scrape_configs": jobs}


class Prometheus:
    def __init__(self, supervisor, work_dir, energymond_port, exporter_port, fleet):
        self.supervisor = supervisor
        config_file = os.path.join(work_dir, "prometheus.yml")
        write_private(config_file, json.dumps(prometheus_config(energymond_port, exporter_port,
                                                                fleet)))
        data = os.path.join(work_dir, "prometheus-data")
        os.mkdir(data, 0o700)
        env = dict(os.environ)
        env.pop("LD_PRELOAD", None)
        for _ in range(3):
            self.port = free_tcp_port()
            supervisor.start("prometheus", [PROMETHEUS, "--config.file=" + config_file,
                                            "--storage.tsdb.path=" + data,
                                            "--web.listen-address=127.0.0.1:%d" % self.port,
                                            "--log.level=warn"], env=env)
            wait_until("prometheus ready on port %d" % self.port,
                       lambda: supervisor.children["prometheus"].poll() is not None
                       or http_get(self.url("/-/ready"))[0] == 200, 60)
            if supervisor.children["prometheus"].poll() is None:
                return
            supervisor.stop("prometheus")
        raise RuntimeError("prometheus did not start; its log ends:\n%s"
                           % supervisor.log_tail("prometheus"))

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def query(self, promql, at=None):
        """The `result` of an instant query (a range selector gives the raw
        samples: [{"metric": {...}, "values": [[t, "v"], ...]}, ...])."""
        params = {"query": promql}
        if at is not None:
            params["time"] = "%.3f" % at
        status, body = http_get(self.url("/api/v1/query?" + urllib.parse.urlencode(params)),
                                timeout=10)
        if status != 200:
            raise RuntimeError("prometheus query %r: HTTP %d %s" % (promql, status, body[:300]))
        answer = json.loads(body)
        if answer.get("status") != "success":
            raise RuntimeError("prometheus query %r: %s" % (promql, body[:300]))
        return answer["data"]["result"]

    def raw_samples(self, selector, seconds, at=None):
        """{frozenset(labels): [(t, value), ...]} of every series matching
        selector over the last `seconds` before `at` (now)."""
        series = {}
        for item in self.query("%s[%ds]" % (selector, seconds), at):
            labels = frozenset(item["metric"].items())
            series[labels] = [(float(t), float(v)) for t, v in item["values"]]
        return series
