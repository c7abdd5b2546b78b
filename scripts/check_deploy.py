#!/usr/bin/python3
"""Checks the deployment files without a Docker engine.

  static   compose.yaml and docker/compose.yaml against the compose-spec JSON schema (the one
           Debian's docker-compose 1.29.2 package installs, read from where it installs it,
           extended here with the two top-level keys the spec gained since: `name` and
           `include`), then what the deployment relies on: KRaft Kafka, a MongoDB
           replica set, the init, every setting with its default, health checks, start order,
           volumes, the monitoring profile; docker/Dockerfile's structure; and that the stand-in
           images of docker/local provide the programs the compose health checks run.
  run      runs every compose service's command (with the compose environment and its
           defaults) against the test broker and MongoDB of scripts/test-env.sh
           (VEREDICTO_TEST_KAFKA, VEREDICTO_TEST_MONGO): the init must exit 0, each service
           must be ready, /health/ready (checked with `veredicto health`, as the image's health
           check does) and stop cleanly on SIGTERM, and the generator must publish and exit 0;
           the Kafka stand-in's readiness probe must pass against the broker and fail without one.

Usage: check_deploy.py static
       check_deploy.py run --binary .build/debug/veredicto
Exit code 0 when every check passes; each failure is one line on standard error.
"""
import argparse
import copy
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

import jsonschema
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The compose-spec schema as the docker-compose package installs it (not copied into the project).
SCHEMA = "/usr/lib/python3/dist-packages/compose/config/compose_spec.json"
SERVICES = ["cache", "llm", "score", "store"]

# Every environment variable of DESIGN.md and the README's configuration table.
SETTINGS = [
    "KAFKA_BOOTSTRAP_SERVERS", "KAFKA_SESSION_TIMEOUT_MS", "KAFKA_CONFIG", "KAFKA_CONFIG_FILE", "PIPELINE_SIGNING_KEY",
    "PIPELINE_SIGNING_KEY_FILE", "TOPIC_PREFIX", "TOPIC_PARTITIONS",
    "MONGO_URI", "MONGO_DB", "CACHE_POLICY", "CACHE_SIZE", "CACHE_TTL", "SCORE_THRESHOLD", "MAX_RETRIES",
    "IDF_MODE", "IDF_MODEL", "LLM_ERROR_RETRIES", "BATCH_SIZE", "METRICS_PORT", "METRICS_HOST", "READY_STALL_S",
    "LLM_BACKEND", "LLM_BASE_URL",
    "LLM_MODEL", "LLM_API_KEY", "LLM_LATENCY_MS", "LLM_LATENCY_SIGMA", "LLM_OVERLOAD_RATE", "LLM_QUOTA_RATE",
    "LLM_QUALITY_MEAN", "LLM_SEED", "LLM_MAX_CONCURRENCY", "LLM_TIMEOUT_S", "LLM_RETRIES", "LLM_BACKOFF_BASE_MS",
    "LLM_BACKOFF_MAX_MS", "LLM_QUOTA_WINDOW_S", "LLM_MAX_QUOTA_WAIT_S",
]
DEFAULTS = {"CACHE_POLICY": "lru", "CACHE_SIZE": "1024", "CACHE_TTL": "3600", "SCORE_THRESHOLD": "0.65",
            "MAX_RETRIES": "3", "MONGO_DB": "yahoo_db", "TOPIC_PARTITIONS": "6", "BATCH_SIZE": "1000",
            "LLM_BACKEND": "offline", "METRICS_PORT": "9464", "METRICS_HOST": "0.0.0.0", "READY_STALL_S": "60",
            "LLM_ERROR_RETRIES": "3"}

failures = []


def fail(message):
    failures.append(message)
    print(f"FAIL {message}", file=sys.stderr)


def check(condition, message):
    if not condition:
        fail(message)
    return condition


def load_yaml(path):
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def schema():
    if not os.path.exists(SCHEMA):
        fail(f"compose-spec schema not found at {SCHEMA}: install the docker-compose package (scripts/setup.sh does)")
        sys.exit(1)
    with open(SCHEMA, encoding="utf-8") as handle:
        spec = json.load(handle)
    # The compose spec's top-level keys added after 2021 (docker compose v2 accepts them).
    spec["properties"]["name"] = {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]*$"}
    spec["properties"]["include"] = {
        "type": "array",
        "items": {"oneOf": [
            {"type": "string"},
            {"type": "object", "additionalProperties": False, "required": ["path"], "properties": {
                "path": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
                "env_file": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
                "project_directory": {"type": "string"},
            }},
        ]},
    }
    return spec


INTERPOLATION = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def interpolate(value, environment):
    """Compose's variable substitution: ${VAR}, ${VAR:-default}, ${VAR-default}, $VAR, $$."""
    if isinstance(value, dict):
        return {key: interpolate(item, environment) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, environment) for item in value]
    if not isinstance(value, str):
        return value

    def replace(match):
        if match.group(0) == "$$":
            return "$"
        name = match.group(1) or match.group(4)
        operator, default = match.group(2), match.group(3)
        current = environment.get(name)
        if operator == ":-" and not current:
            return default
        if operator == "-" and current is None:
            return default
        return current or ""
    return INTERPOLATION.sub(replace, value)


def environment_of(service):
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    return {key: "" if value is None else str(value) for key, value in environment.items()}


def check_static():
    spec = schema()
    validator = jsonschema.Draft7Validator(spec)
    root = load_yaml(os.path.join(ROOT, "compose.yaml"))
    compose_path = os.path.join(ROOT, "docker", "compose.yaml")
    compose = load_yaml(compose_path)
    for name, document in (("compose.yaml", root), ("docker/compose.yaml", compose)):
        for error in validator.iter_errors(document):
            fail(f"{name}: schema: {'/'.join(map(str, error.path))}: {error.message[:200]}")
    # The schema again after interpolation with defaults: the values compose will see.
    for error in validator.iter_errors(interpolate(compose, {})):
        fail(f"docker/compose.yaml (interpolated): schema: {'/'.join(map(str, error.path))}: {error.message[:200]}")

    included = [item if isinstance(item, str) else item.get("path") for item in root.get("include", [])]
    check("docker/compose.yaml" in included, "compose.yaml must include docker/compose.yaml")

    services = compose.get("services", {})
    for name in ["kafka", "mongodb", "init", "generator", "prometheus"] + SERVICES:
        check(name in services, f"service {name} missing")
    check(not any("zookeeper" in name for name in services), "no ZooKeeper: Kafka runs in KRaft mode")

    kafka = environment_of(services.get("kafka", {}))
    check("controller" in kafka.get("KAFKA_PROCESS_ROLES", ""), "kafka: KAFKA_PROCESS_ROLES must include controller (KRaft)")
    check("KAFKA_CONTROLLER_QUORUM_VOTERS" in kafka, "kafka: KRaft quorum voters missing")
    check("healthcheck" in services.get("kafka", {}), "kafka: healthcheck missing")

    mongo = services.get("mongodb", {})
    command = mongo.get("command", [])
    command = command if isinstance(command, list) else shlex.split(command)
    check("--replSet" in command, "mongodb: must start as a replica set (--replSet): the store uses transactions")
    health = " ".join(map(str, mongo.get("healthcheck", {}).get("test", [])))
    check("rs.initiate" in health, "mongodb: the healthcheck must initiate the replica set")
    check(any(str(v).endswith(":/data/db") for v in mongo.get("volumes", [])), "mongodb: /data/db needs a volume")

    init = services.get("init", {})
    init_command = " ".join(init.get("entrypoint", []) + init.get("command", []))
    check("topics create" in init_command and "dataset load" in init_command,
          "init: must run `veredicto topics create` and `veredicto dataset load`")
    check(init.get("restart") == "no", "init: runs once (restart: \"no\")")

    for name in SERVICES + ["init", "generator"]:
        service = services.get(name, {})
        environment = environment_of(service)
        for setting in SETTINGS:
            raw = environment.get(setting)
            if not check(raw is not None, f"{name}: environment variable {setting} missing"):
                continue
            check(raw.startswith("${" + setting + ":-"), f"{name}: {setting} must be `${{{setting}:-default}}`, is {raw!r}")
            if setting in DEFAULTS:
                check(raw == "${" + setting + ":-" + DEFAULTS[setting] + "}",
                      f"{name}: {setting} default must be {DEFAULTS[setting]}, is {raw!r}")
        check(all("API_KEY" not in key or value in ("", "${LLM_API_KEY:-}") for key, value in environment.items()),
              f"{name}: an API key must not have a value in the compose file")

    for name in SERVICES:
        service = services.get(name, {})
        check(service.get("command") == ["serve", name], f"{name}: command must be [serve, {name}]")
        test = service.get("healthcheck", {}).get("test", [])
        check(test[:3] == ["CMD", "veredicto", "health"], f"{name}: healthcheck must run `veredicto health`")
        check(service.get("depends_on", {}).get("init", {}).get("condition") == "service_completed_successfully",
              f"{name}: must wait for init (service_completed_successfully)")
        check("container_name" not in service and "ports" not in service,
              f"{name}: no container_name or host ports, so that --scale works")

    for name in ["kafka", "mongodb"]:
        check(init.get("depends_on", {}).get(name, {}).get("condition") == "service_healthy",
              f"init: must wait for {name} (service_healthy)")

    generator = services.get("generator", {})
    generator_command = " ".join(map(str, generator.get("command", [])))
    for variable, flag in [("GEN_TOTAL", "--total"), ("GEN_DISTRIBUTION", "--distribution"), ("GEN_LAMBDA", "--lambda"),
                           ("GEN_LOW", "--low"), ("GEN_HIGH", "--high")]:
        check(flag in generator_command and "${" + variable + ":-" in generator_command,
              f"generator: {flag} must come from ${{{variable}:-default}}")
    for name in SERVICES:
        check(generator.get("depends_on", {}).get(name, {}).get("condition") == "service_healthy",
              f"generator: must wait for {name} (service_healthy)")
    check(any(str(v).endswith(":/app/data_collected") for v in generator.get("volumes", [])),
          "generator: data_collected needs a volume")

    prometheus = services.get("prometheus", {})
    check(prometheus.get("profiles") == ["monitoring"], "prometheus: must be under the monitoring profile")
    mounts = [str(v) for v in prometheus.get("volumes", [])]
    check(any(v.startswith("./prometheus.yml:") for v in mounts), "prometheus: must mount docker/prometheus.yml")
    config = load_yaml(os.path.join(ROOT, "docker", "prometheus.yml"))
    scraped = set()
    for job in config.get("scrape_configs", []):
        for sd in job.get("dns_sd_configs", []):
            scraped.update(sd.get("names", []))
            check(sd.get("port") == 9464, "prometheus.yml: scrape port must be 9464")
        for static in job.get("static_configs", []):
            scraped.update(target.split(":")[0] for target in static.get("targets", []))
    for name in SERVICES:
        check(name in scraped, f"prometheus.yml: does not scrape {name}")

    for volume in ["mongo-data", "data-collected"]:
        check(volume in (compose.get("volumes") or {}), f"volume {volume} not declared")

    check_dockerfile()


def check_dockerfile():
    path = os.path.join(ROOT, "docker", "Dockerfile")
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    # Join continuation lines, drop comments.
    logical, current = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#") or not stripped:
            continue
        current += " " + stripped.rstrip("\\").strip() if current else stripped.rstrip("\\").strip()
        if not stripped.endswith("\\"):
            logical.append(current)
            current = ""
    instructions = [(line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "") for line in logical]
    args = {value.split("=", 1)[0]: value.split("=", 1)[1] for kind, value in instructions if kind == "ARG" and "=" in value}
    stages = []
    for kind, value in instructions:
        if kind == "FROM":
            parts = value.split()
            image = re.sub(r"\$\{(\w+)\}", lambda m: args.get(m.group(1), ""), parts[0])
            stages.append({"image": image, "name": parts[2] if len(parts) >= 3 and parts[1].upper() == "AS" else None,
                           "lines": []})
        elif stages:
            stages[-1]["lines"].append((kind, value))
    if not check(len(stages) >= 2, "Dockerfile: must be multi-stage (builder and runtime)"):
        return
    builder, runtime = stages[0], stages[-1]
    check(re.match(r"swift:6\.\d+-noble", builder["image"]) is not None,
          f"Dockerfile: builder must be swift:6.x on Ubuntu 24.04 (noble), is {builder['image']}")
    check(runtime["image"] == "ubuntu:24.04", f"Dockerfile: runtime must be ubuntu:24.04, is {runtime['image']}")
    build_runs = " ".join(value for kind, value in builder["lines"] if kind == "RUN")
    for package in ["librdkafka-dev", "libmongoc-dev", "libxxhash-dev", "libzstd-dev", "libjemalloc-dev", "pkg-config"]:
        check(package in build_runs, f"Dockerfile: builder must install {package}")
    check("swift build -c release" in build_runs and "--static-swift-stdlib" in build_runs,
          "Dockerfile: builder must run `swift build -c release --static-swift-stdlib`")
    check("scripts/runtime-packages.sh /out/veredicto > /out/runtime-packages.txt" in build_runs,
          "Dockerfile: builder must list the runtime packages of the binary with scripts/runtime-packages.sh")
    runtime_runs = " ".join(value for kind, value in runtime["lines"] if kind == "RUN")
    runtime_copies = " ".join(value for kind, value in runtime["lines"] if kind == "COPY")
    check("--from=builder /out/runtime-packages.txt" in runtime_copies
          and re.search(r"xargs -a \S*runtime-packages\.txt apt-get install", runtime_runs) is not None,
          "Dockerfile: runtime must install the packages the builder listed (runtime-packages.txt)")
    check(os.access(os.path.join(ROOT, "scripts", "runtime-packages.sh"), os.X_OK),
          "scripts/runtime-packages.sh must exist and be executable")
    for forbidden in ["-dev ", "-dev\n", "build-essential", "clang", "swiftlang"]:
        check(forbidden not in runtime_runs + " ", f"Dockerfile: runtime must not install build tools ({forbidden.strip()})")
    users = [value for kind, value in runtime["lines"] if kind == "USER"]
    check(bool(users) and users[-1].split(":")[0] not in ("root", "0"), "Dockerfile: runtime must end as a non-root USER")
    entrypoints = [value for kind, value in runtime["lines"] if kind == "ENTRYPOINT"]
    check(bool(entrypoints) and json.loads(entrypoints[-1]) == ["veredicto"], 'Dockerfile: ENTRYPOINT must be ["veredicto"]')
    check(any(kind == "VOLUME" and "/app/data_collected" in value for kind, value in runtime["lines"]),
          "Dockerfile: data_collected must be a volume")
    check(re.search(r"chown[^&]*veredicto[^&]*/app", runtime_runs) is not None,
          "Dockerfile: the data directory must be owned by the service user")
    secret = re.compile(r"(PASSWORD|SECRET|TOKEN|API_KEY|ACCESS_KEY)\s*[=\s]\s*\S+", re.IGNORECASE)
    for kind, value in instructions:
        if kind in ("ENV", "ARG", "LABEL"):
            check(secret.search(value) is None, f"Dockerfile: no secrets in {kind}: {value}")
    for kind, value in instructions:
        if kind in ("COPY", "ADD"):
            check(not re.search(r"\.env\b|\.pem\b|\.key\b|id_rsa", value), f"Dockerfile: no secret files copied: {value}")
    with open(os.path.join(ROOT, ".dockerignore"), encoding="utf-8") as handle:
        ignored = handle.read().split()
    for entry in [".git", ".build"]:
        check(entry in ignored, f".dockerignore: must exclude {entry}")


def check_standins():
    """docker/local's stand-in images (scripts/deploy-test.sh builds them when no registry can be
    reached) must answer the compose file's own health checks: each check's program is put
    where the check runs it."""
    services = load_yaml(os.path.join(ROOT, "docker", "compose.yaml"))["services"]
    for service, dockerfile in (("kafka", "kafka.Dockerfile"), ("mongodb", "mongodb.Dockerfile")):
        test = services[service]["healthcheck"]["test"]
        program = shlex.split(test[1])[0] if test[0] == "CMD-SHELL" else test[1]
        with open(os.path.join(ROOT, "docker", "local", dockerfile), encoding="utf-8") as handle:
            copies = [line.split()[-1] for line in handle if line.startswith("COPY ")]
        on_path = "/" not in program and any(target == f"/usr/local/bin/{program}" for target in copies)
        check(program in copies or on_path,
              f"docker/local/{dockerfile}: does not provide {program}, which {service}'s health check runs")


def check_kafka_probe(kafka):
    """The Kafka stand-in's readiness probe against the test broker: it must pass there and fail
    where nothing listens."""
    probe = os.path.join(ROOT, "docker", "local", "kafka-broker-api-versions.sh")
    status = subprocess.run([probe, "--bootstrap-server", kafka], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, timeout=30).returncode
    check(status == 0, f"docker/local/kafka-broker-api-versions.sh: exit {status} against the broker at {kafka}")
    status = subprocess.run([probe, "--bootstrap-server", f"127.0.0.1:{free_port()}"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, timeout=30).returncode
    check(status != 0, "docker/local/kafka-broker-api-versions.sh: succeeds where no broker listens")
    if not failures:
        print("ok   kafka stand-in probe: answers against the broker, fails without one")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def healthy(binary, port, environment):
    return subprocess.run([binary, "health", "--port", str(port)], env=environment,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0


def check_run(binary):
    kafka, mongo = os.environ.get("VEREDICTO_TEST_KAFKA"), os.environ.get("VEREDICTO_TEST_MONGO")
    if not kafka or not mongo:
        fail("VEREDICTO_TEST_KAFKA and VEREDICTO_TEST_MONGO are not set: run under scripts/test-env.sh")
        return
    binary = os.path.abspath(binary)
    compose = interpolate(load_yaml(os.path.join(ROOT, "docker", "compose.yaml")), {})
    services = compose["services"]
    run_id = uuid.uuid4().hex[:8]
    # What the test servers replace: addresses, and names private to this run.
    overrides = {"KAFKA_BOOTSTRAP_SERVERS": kafka, "MONGO_URI": mongo, "TOPIC_PREFIX": f"deploy_{run_id}_",
                 "MONGO_DB": f"deploy_{run_id}", "TOPIC_PARTITIONS": "3", "KAFKA_SESSION_TIMEOUT_MS": "10000"}
    sample = os.path.join(ROOT, "data", "sample", "yahoo_sample.csv")
    image_sample = "/opt/veredicto/data/sample/yahoo_sample.csv"
    workdir = tempfile.mkdtemp(prefix="veredicto-deploy-")
    path = os.path.dirname(binary) + os.pathsep + os.environ.get("PATH", "")

    def environment_for(name):
        environment = dict(os.environ)
        environment.update({k: v.replace(image_sample, sample) for k, v in environment_of(services[name]).items()})
        environment.update(overrides)
        environment["PATH"] = path
        return environment

    def argv_for(name):
        service = services[name]
        entrypoint = service.get("entrypoint") or [binary]
        command = [str(part).replace(image_sample, sample) for part in service.get("command", [])]
        return [binary if part == "veredicto" else part for part in entrypoint] + command

    # init: one shot, must succeed.
    init = subprocess.run(argv_for("init"), env=environment_for("init"), cwd=workdir, capture_output=True, text=True,
                          timeout=180)
    if not check(init.returncode == 0, f"init: exit {init.returncode}: {init.stderr[-2000:]}"):
        return
    print(f"ok   init: {init.stdout.strip().splitlines()[-1] if init.stdout.strip() else 'done'}")

    processes = {}
    try:
        for name in SERVICES:
            environment = environment_for(name)
            port = free_port()
            environment["METRICS_PORT"] = str(port)
            log = open(os.path.join(workdir, f"{name}.log"), "w")
            processes[name] = (subprocess.Popen(argv_for(name), env=environment, cwd=workdir, stdout=log, stderr=log),
                               port, environment, log)
        deadline = time.monotonic() + 150  # ready means joined: slow on a busy machine
        for name, (process, port, environment, _) in processes.items():
            # Ready once is the check: a second probe can meet a rebalance of the service's own
            # groups (the llm service has two) and say not ready for a moment.
            ready = False
            while process.poll() is None and time.monotonic() < deadline:
                if healthy(binary, port, environment):
                    ready = True
                    break
                time.sleep(0.2)
            if check(ready, f"{name}: /health did not answer (exit {process.poll()})"):
                print(f"ok   {name}: healthy on port {port}")
        # The generator, with the compose defaults but fewer questions and as fast as allowed.
        environment = environment_for("generator")
        environment["METRICS_PORT"] = str(free_port())
        argv = argv_for("generator")
        argv[argv.index("--total") + 1] = "20"
        argv[argv.index("--lambda") + 1] = "200"
        generator = subprocess.run(argv, env=environment, cwd=workdir, capture_output=True, text=True, timeout=120)
        if check(generator.returncode == 0, f"generator: exit {generator.returncode}: {generator.stderr[-2000:]}"):
            print("ok   generator: published 20 questions")
        # The questions go all the way through: the store's /metrics counts the decisions applied.
        applied, deadline = 0.0, time.monotonic() + 90
        while applied < 20 and time.monotonic() < deadline:
            time.sleep(0.5)
            with urllib.request.urlopen(f"http://127.0.0.1:{processes['store'][1]}/metrics", timeout=5) as response:
                for line in response.read().decode().splitlines():
                    if line.startswith("veredicto_store_decisions_applied_total "):
                        applied = float(line.split()[1])
        if check(applied == 20, f"store: applied {applied} decisions, expected 20"):
            print("ok   store: /metrics counts the 20 decisions applied")
        check(os.path.isdir(os.path.join(workdir, "data_collected")), "generator: no data_collected directory")
    finally:
        for name, (process, _, _, log) in processes.items():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for name, (process, _, _, log) in processes.items():
            try:
                code = process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                code = process.wait()
            log.close()
            if not check(code == 0, f"{name}: exit {code} after SIGTERM (log {workdir}/{name}.log)"):
                with open(os.path.join(workdir, f"{name}.log")) as handle:
                    print(handle.read()[-2000:], file=sys.stderr)
            else:
                print(f"ok   {name}: stopped cleanly")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["static", "run"])
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "debug", "veredicto"))
    options = parser.parse_args()
    if options.mode == "static":
        check_static()
        check_standins()
    else:
        check_run(options.binary)
        if os.environ.get("VEREDICTO_TEST_KAFKA"):
            check_kafka_probe(os.environ["VEREDICTO_TEST_KAFKA"])
    if failures:
        print(f"{len(failures)} deployment check(s) failed", file=sys.stderr)
        return 1
    print(f"deployment checks ({options.mode}) passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
