//! Issue 14: the pack on real published log lines: ../shared/corpus/real (or `$STACKSCAN_REAL_CORPUS`), and the
//! project's own set in fixtures/real. Each case of a cases.json is scanned alone, `stackscan scan --format json
//! FILE` with no `--component`, and judged as benches/real_cases.py judges it (that script's docstring is the
//! reference):
//!
//! * found: some incident has the case's `family` or one of its `family_ok`;
//! * root: the expected incident (accepted family, worst severity, most records, first in report order) names
//!   `root_cause` or one of `root_cause_ok` as its root cause component;
//! * severity: `expect_error` → that incident is error/critical, else warning/info; for a negative case, no
//!   incident of severity error or critical.
//!
//! On the development corpus every aspect of every case must hold, except those listed in [`KNOWN_MISSES`]; a
//! listed miss that now holds fails too, so the list stays exact (a ratchet); fixtures/real is judged the same
//! way against [`PROJECT_KNOWN_MISSES`]. On another corpus (`$STACKSCAN_REAL_CORPUS`, e.g. the held-out half)
//! only the totals are judged. The totals must meet issue 14's targets once [`ASSERT_TARGETS`] is set. The shared
//! corpus lives outside the project: without it its test is skipped with a notice, unless `CI` is set, where its
//! absence is a failure.

use crate::util::*;
use serde_json::Value;
use std::path::PathBuf;

/// (case file, aspect) pairs that are known not to hold yet, with why.
const KNOWN_MISSES: &[(&str, &str)] = &[];

/// The same for `fixtures/real`.
const PROJECT_KNOWN_MISSES: &[(&str, &str)] = &[
    // librdkafka's `1/1 brokers are down` over five minutes: the `%3|epoch|` header has no time stackscan reads,
    // so the warning cannot escalate by duration.
    ("kafka_rdkafka_refused_sentry.log", "severity"),
    // A JSON error of a writer that names no StackState component is the receiver's intake (chain.bad-payload);
    // these cases blame the reading service or the consumer.
    ("json_jackson_eof_spring_shaded.log", "root"),
    ("json_playjson_jsresult_play.log", "root"),
    // Retried 429s and 503s (Fluentd, a Go writer, Logstash, ElastAlert; a circuit breaker): a bulk rejection is
    // an error whoever retries it, as in the development half's case; these cases call a retried one a warning.
    ("es_fluentd_429_coordinating.log", "severity"),
    ("es_metrictank_go_rejected.log", "severity"),
    ("es_logstash_429_retry_wrapped.log", "severity"),
    ("es_fluentd_circuit_breaker_503.log", "severity"),
    ("es_python_elastalert_429.log", "severity"),
    // librdkafka's `Connect to ... failed: Connection refused` and `1/1 brokers are down` within a second: a
    // retried warning until it lasts (as the development half's start-up case wants); these cases call it an error.
    ("kafka_rdkafka_rust_advertised_localhost.log", "severity"),
    ("kafka_rdkafka_logcb_brokers_down.log", "severity"),
    ("kafka_python_snuba_transport_failure.log", "severity"),
    // kafkajs's `connect ECONNREFUSED` at its first retry, and the agent's connection reset: the same policy.
    ("kafka_kafkajs_seed_broker_refused.log", "severity"),
    ("agent_sts_node_agent_conn_reset.log", "severity"),
    // `Client.Timeout exceeded while awaiting headers` is rooted at the receiver, which did not answer; the case
    // blames the agent's ignored proxy settings, which the line does not show.
    ("agent_dd_proxy_client_timeout.log", "root"),
    // `Too many errors for endpoint`: the agent stops sending to that endpoint for a while, an error in the pack;
    // the case, a short haproxy hiccup, wants a warning.
    ("agent_dd_too_many_errors_haproxy.log", "severity"),
    // Node's `JSON.parse` on an HTML page, in a tool whose writer the lines do not name: found (json.node-parse), but
    // with no writer and no address the root is not known, so the incident stays a warning; the case blames the
    // tool's Elasticsearch URL.
    ("json_node_elasticdump_html_unexpected_token.log", "root"),
    ("json_node_elasticdump_html_unexpected_token.log", "severity"),
    // Outside the pipeline's software: Rust's serde_json through the elastic crate, .NET NEST's audit trail: no kind
    // for their wordings.
    ("json_rust_elastic_expected_some_value.log", "found"),
    ("json_rust_elastic_expected_some_value.log", "root"),
    ("json_rust_elastic_expected_some_value.log", "severity"),
    ("es_dotnet_nest_sniff_docker_ip_refused.log", "found"),
    ("es_dotnet_nest_sniff_docker_ip_refused.log", "root"),
    ("es_dotnet_nest_sniff_docker_ip_refused.log", "severity"),
    // An OpenTelemetry exporter retrying `connection refused`: the same policy.
    ("json_otel_otlphttp_refused_windows.log", "severity"),
    // A bare `java.net.ConnectException: Connection refused` (rooted at Elasticsearch by the REST client in its
    // stack frames) once: a retried warning until it lasts.
    ("kafka_es_rest_client_refused_reactor.log", "severity"),
    // Retried failures that stay warnings until they last (`escalate`); these cases are single records or last
    // minutes, and call them errors: `Number of alive brokers '0'` (Kafka says it can be ignored at start-up),
    // ES's `master not discovered yet` of a cluster that has not formed yet (es.no-master; a formed cluster that
    // lost its quorum is es.master-lost's, an error), elasticsearch-py's `status:N/A`.
    ("kafka_alive_brokers_offsets_topic.log", "severity"),
    ("es_master_not_discovered_7x.log", "severity"),
    ("es_python_conn_refused_aleph.log", "severity"),
    ("es_python_bulk_timeout_compose.log", "severity"),
    // `NoNodeAvailableException` on a replica's bulk write after a node left: an error of the client (no node to
    // send to) whatever it was writing; the case notes that the primary's write succeeded and wants a warning.
    ("es_node_left_replica_bulk_7x.log", "severity"),
    // A consumer's commit failing in a rebalance, in a file named after Kafka: the consumer that logs it is the root,
    // and the file name makes that Kafka.
    ("kafka_consumer_commit_failed_camel_quarkus.log", "root"),
    ("kafka_alpakka_commit_failed.log", "root"),
    // An intake's 413 is intake.payload-rejected, of the json-deserialization family (a payload refused); the case
    // files it under connection, where the broken pipe of its first line (go.connection-reset) is found, a retried
    // warning: the case wants an error.
    ("agent_otel_dd_exporter_413_payload.log", "severity"),
    // Wordings that each need a literal of their own, and the scan with the unexplained section has one place left
    // (rules/README.md, "Literals cost time on every byte"): the Elasticsearch low-level REST client's `listener
    // timeout after waiting for [N] ms` (before 7.0), kafka-python's `Fetch offset N is out of range for
    // topic-partition`, Agent 5's `Removed transaction N from queue`, Akka HTTP 10.0's `Internal server error, sending
    // 500 response` and `Error in stage [...HttpServerBluePrint...]`. Their ERROR lines are in the unexplained section.
    ("es_restclient_listener_timeout.log", "found"),
    ("es_restclient_listener_timeout.log", "root"),
    ("es_restclient_listener_timeout.log", "severity"),
    ("kafka_kafkapython_offset_out_of_range.log", "found"),
    ("kafka_kafkapython_offset_out_of_range.log", "root"),
    ("kafka_kafkapython_offset_out_of_range.log", "severity"),
    ("agent_py_queue_removed.log", "found"),
    ("agent_py_queue_removed.log", "root"),
    ("agent_py_queue_removed.log", "severity"),
    ("json_akka_500_nosuchelement.log", "found"),
    ("json_akka_500_nosuchelement.log", "root"),
    ("json_akka_500_nosuchelement.log", "severity"),
    ("json_akka_stage_error.log", "found"),
    ("json_akka_stage_error.log", "root"),
    ("json_akka_stage_error.log", "severity"),
    ("json_akka_500_uri.log", "found"),
    ("json_akka_500_uri.log", "root"),
    ("json_akka_500_uri.log", "severity"),
    // kafka-python's `Heartbeat session expired, marking coordinator dead` at WARNING: the Java client's words for the
    // same (`Group coordinator ... is unavailable or invalid ..., will attempt rediscovery`) are INFO noise in a
    // healthy group (kafka_neg_coordinator_rediscovery_info.log); a rule would need to count them to tell.
    ("kafka_kafkapython_coordinator_dead.log", "found"),
    ("kafka_kafkapython_coordinator_dead.log", "root"),
    ("kafka_kafkapython_coordinator_dead.log", "severity"),
    // A StatsD client's `write udp ...->127.0.0.1:8125: write: connection refused`, logged at info: no rule reads
    // UDP writes to dogstatsd (each is one lost packet, and ICMP reports only some of them).
    ("agent_dsd_udp_refused.log", "found"),
    ("agent_dsd_udp_refused.log", "root"),
    ("agent_dsd_udp_refused.log", "severity"),
    // Server-side warnings with no rule. Elasticsearch's `[gc][N] overhead, spent [..] collecting in the last [..]`:
    // one WARN of it is common in a healthy cluster (six of the example trees hold one), so a rule needs a trigger on
    // repetition, which rules do not have. The others would each need a literal of their own (see above): Kafka
    // 0.10's `Cached zkVersion [..] not equal to that in zookeeper, skip updating ISR` (INFO), ZooKeeper's `fsync-ing
    // the write ahead log ... took Nms`, the KRaft quorum's `the leader is (none)` and `Received a fatal error while
    // waiting for the controller` (Kafka 4's Strimzi layout, whose component is not known either), Kafka 0.9's
    // `Processor got uncaught exception`, and Elasticsearch's `node-left[...]` (INFO, transient unless no `node-join`
    // follows).
    ("es_gc_overhead_oome_5x.log", "found"),
    ("es_gc_overhead_oome_5x.log", "root"),
    ("es_gc_overhead_oome_5x.log", "severity"),
    ("es_gc_overhead_wazuh_6x.log", "found"),
    ("es_gc_overhead_wazuh_6x.log", "root"),
    ("es_gc_overhead_wazuh_6x.log", "severity"),
    ("kafka_isr_shrink_cached_zkversion_0_10.log", "found"),
    ("kafka_isr_shrink_cached_zkversion_0_10.log", "root"),
    ("kafka_isr_shrink_cached_zkversion_0_10.log", "severity"),
    ("zk_fsync_slow_wal.log", "found"),
    ("zk_fsync_slow_wal.log", "root"),
    ("zk_fsync_slow_wal.log", "severity"),
    ("kafka_kraft_no_quorum_leader_3_5.log", "found"),
    ("kafka_kraft_no_quorum_leader_3_5.log", "root"),
    ("kafka_kraft_no_quorum_leader_3_5.log", "severity"),
    ("kafka_kraft_broker_fatal_controller_4_0.log", "found"),
    ("kafka_kraft_broker_fatal_controller_4_0.log", "root"),
    ("kafka_kraft_broker_fatal_controller_4_0.log", "severity"),
    ("kafka_processor_uncaught_apikey_0_9.log", "found"),
    ("kafka_processor_uncaught_apikey_0_9.log", "root"),
    ("kafka_processor_uncaught_apikey_0_9.log", "severity"),
    ("es_node_left_rejoined_7x.log", "found"),
    ("es_node_left_rejoined_7x.log", "root"),
    ("es_node_left_rejoined_7x.log", "severity"),
    // Kinds the pack has no rule for, or whose cause is not on the lines: Filebeat refusing an OpenSearch cluster (a
    // version mismatch: read, a warning until it lasts); http4s's `MalformedMessageBodyFailure` (a literal
    // of its own); Sarama's i/o timeout whose address the reporter masked (`-> {broker-ip}:9092`); DEBUG lines of a Tor
    // dial; Data Prepper's `Bulk request index cannot be missing` (its own configuration); Spring's and Tomcat's upload
    // limits (not the receiver's libraries).
    ("es_filebeat_requires_default_distribution.log", "severity"),
    // Fluent Bit's two failed flushes of one second are a retry, a warning (the mapping conflict behind them is in
    // another comment of the thread).
    ("es_fluentbit_flush_chunk_retry_rancher.log", "severity"),
    // Elasticsearch 5's zen-discovery join loop over seconds: a warning until it lasts five minutes.
    ("es_server5_join_not_master_loop.log", "severity"),
    ("json_http4s_circe_invalid_json_zio.log", "found"),
    ("json_http4s_circe_invalid_json_zio.log", "root"),
    ("json_http4s_circe_invalid_json_zio.log", "severity"),
    ("opensearch_dataprepper_missing_index_no_dlq.log", "found"),
    ("opensearch_dataprepper_missing_index_no_dlq.log", "root"),
    ("opensearch_dataprepper_missing_index_no_dlq.log", "severity"),
    ("sts_spring_multipart_maxupload_debug.log", "found"),
    ("sts_spring_multipart_maxupload_debug.log", "root"),
    ("sts_spring_multipart_maxupload_debug.log", "severity"),
    ("sts_tomcat_spring_filesize_limit_500.log", "found"),
    ("sts_tomcat_spring_filesize_limit_500.log", "root"),
    ("sts_tomcat_spring_filesize_limit_500.log", "severity"),
    // A JSON error of a writer that names no StackState component is the receiver's intake (as above); this case is
    // a client reading Google's error answer.
    ("json_spray_missing_member_alpakka_pubsub.log", "root"),
    // A host the client's own configuration got wrong (`null`, `locahost`): the lines say only that the name does
    // not resolve or the node is unreachable, which is rooted at the peer (Kafka, Elasticsearch) as everywhere.
    ("kafka_consumer_bootstrap_dns_null_host.log", "root"),
    ("es_logstash_resurrect_dns_typo.log", "root"),
    ("es_logstash_resurrect_dns_typo.log", "severity"),
    // A retried failure over seconds to minutes (a refused or timed-out dial, brokers down, a lost ZooKeeper
    // connection, a commit failure, a disconnected transport node, a master left): a warning until it lasts, as
    // above; these cases call it an error.
    ("agent_otel_splunk_hec_refused_compose.log", "severity"),
    ("es_springboot_transport_nodeinfo_disconnect_loop.log", "severity"),
    ("kafka_franzgo_dial_io_timeout.log", "severity"),
    ("kafka_rdkafka_ruby_ssl_all_brokers_down.log", "severity"),
    ("kafka_springboot_commit_failed_not_member.log", "severity"),
    ("zk_client_refused_pinpoint_job_failed.log", "severity"),
    ("es_server2_master_left_transport_disconnected.log", "severity"),
    // A writer's failed bulk request to Elasticsearch (refused, broken pipe) is an error at once, as the pack has it
    // for every bulk writer; these cases call one retried failure a warning.
    ("es_filebeat_journald_bulk_refused.log", "severity"),
    ("es_fluentd_broken_pipe_retry.log", "severity"),
    // Writers beside the pipeline whose sentences the pack does not read: the Lambda extension's forwarders, Vector,
    // DigitalOcean's and LogDNA's agents, Fluentd's Datadog output (`execution expired`), the agent's own kubelet
    // client (an empty kubelet host), dd-trace-py's `cannot send spans to` (one broken pipe),
    // canal's adapter (`DocumentMissingException`, its own mapping lookup), Spring Data's `Cannot create index:
    // Connection refused` (no exception's name) and Alpakka's `Memory records is not writable`.
    ("agent_lambda_ext_syncforwarder_final_attempt_io_timeout.log", "root"),
    ("agent_lambda_ext_syncforwarder_final_attempt_io_timeout.log", "severity"),
    ("agent_vector_dd_logs_single_conn_reset.log", "found"),
    ("agent_vector_dd_logs_single_conn_reset.log", "root"),
    ("agent_vector_dd_logs_single_conn_reset.log", "severity"),
    ("agent_do_agent_conn_reset_syslog.log", "found"),
    ("agent_do_agent_conn_reset_syslog.log", "root"),
    ("agent_do_agent_conn_reset_syslog.log", "severity"),
    ("agent_logdna_econnrefused_loopback_after_auth.log", "root"),
    ("agent_logdna_econnrefused_loopback_after_auth.log", "severity"),
    ("agent_fluentd_datadog_execution_expired.log", "found"),
    ("agent_fluentd_datadog_execution_expired.log", "root"),
    ("agent_fluentd_datadog_execution_expired.log", "severity"),
    ("agent_fluentd_datadog_push_timeouts_retried.log", "found"),
    ("agent_fluentd_datadog_push_timeouts_retried.log", "root"),
    ("agent_fluentd_datadog_push_timeouts_retried.log", "severity"),
    ("agent_kubelet_refused_empty_host_kubectl_ts.log", "found"),
    ("agent_kubelet_refused_empty_host_kubectl_ts.log", "root"),
    ("agent_kubelet_refused_empty_host_kubectl_ts.log", "severity"),
    ("agent_ddtrace_py_single_broken_pipe_then_ok.log", "found"),
    ("agent_ddtrace_py_single_broken_pipe_then_ok.log", "root"),
    ("agent_ddtrace_py_single_broken_pipe_then_ok.log", "severity"),
    ("es_canal_adapter116_mapping_info_not_found.log", "found"),
    ("es_canal_adapter116_mapping_info_not_found.log", "root"),
    ("es_canal_adapter116_mapping_info_not_found.log", "severity"),
    ("es_canal_adapter_es6_document_missing.log", "found"),
    ("es_canal_adapter_es6_document_missing.log", "root"),
    ("es_canal_adapter_es6_document_missing.log", "severity"),
    ("es_springdata_snowstorm_create_index_refused.log", "found"),
    ("es_springdata_snowstorm_create_index_refused.log", "root"),
    ("es_springdata_snowstorm_create_index_refused.log", "severity"),
    ("kafka_akka_stream_kafka_producer_stage_memory_records.log", "found"),
    ("kafka_akka_stream_kafka_producer_stage_memory_records.log", "root"),
    ("kafka_akka_stream_kafka_producer_stage_memory_records.log", "severity"),
    // Roots the lines do not show: an Akka HTTP client's idle timeout to a local port of no known component; the
    // cluster agent's timeout to the intake blamed on a network policy; Graylog's Jackson error (the receiver's intake,
    // as above).
    ("agent_akka_client_tcp_idle_timeout_then_202.log", "root"),
    ("agent_cluster_agent_forwarder_timeout_netpol.log", "root"),
    ("agent_cluster_agent_forwarder_timeout_netpol.log", "severity"),
    ("json_graylog_zoneddatetime_convertvalue.log", "root"),
    // Retried failures over seconds (tracers and exporters refused or timed out toward the trace agent, the trace
    // agent decoding or size-limiting tracer payloads, a kubelet check, a Kafka admin client or consumer at start,
    // an OpenSearch node not yet discovering a master): a warning until it lasts, as above; these cases call them an
    // error. The Logstash case is the other way round: a writer's unreachable Elasticsearch is an error at once.
    ("agent_opencensus_exporter_refused_8126.log", "severity"),
    ("agent_tracer_go_cannot_flush_refused.log", "severity"),
    ("agent_trace_agent_cannot_decode_msgp_burst.log", "severity"),
    ("agent_trace_agent_read_limit_reached_28mb.log", "severity"),
    ("agent_trace_agent_intake_io_timeout_no_proxy.log", "severity"),
    ("agent_kubelet_unreachable_check_error_s6.log", "severity"),
    ("agent_process_kubelet_x509_unknown_authority.log", "severity"),
    ("kafka_ksqldb_adminclient_localhost_refused_compose.log", "severity"),
    ("kafka_spark_consumer_bootstrap_unreachable.log", "severity"),
    ("opensearch_server25_operator_bootstrap_not_discovered.log", "severity"),
    ("es_logstash7_single_read_timeout_marked_dead.log", "severity"),
    // One `Net::ReadTimeout` is a timeout the program goes on from, a warning until it lasts (dd-trace-rb 0.7 names
    // no post on the line); the case calls it an error.
    ("agent_ruby_net_readtimeout.log", "severity"),
    // One `execution expired` of dd-trace-rb: the traces of that post are lost, an error as for every failed post of
    // a tracer (the case calls one a warning).
    ("agent_ruby_socksify_execution_expired.log", "severity"),
    // Sentences of the agent's hop the pack does not read (the literal places are spent, see rules/README.md): the
    // PHP sidecar's Rust I/O errors (`kind: BrokenPipe`), the collector's API-key check and the Go tracer's
    // diagnostics.
    ("agent_php_sidecar_broken_pipe.log", "found"),
    ("agent_php_sidecar_broken_pipe.log", "root"),
    ("agent_php_sidecar_broken_pipe.log", "severity"),
    ("agent_otel_validate_api_key_not_found.log", "found"),
    ("agent_otel_validate_api_key_not_found.log", "root"),
    ("agent_otel_validate_api_key_not_found.log", "severity"),
    // A timeout toward Datadog's own trace intake: its URL names no StackState hop, so the sender's component is
    // the root; the case names the intake.
    ("agent_otel_dd_trace_edge_deadline.log", "root"),
    ("agent_go_diagnostics_unreachable_eof.log", "found"),
    ("agent_go_diagnostics_unreachable_eof.log", "root"),
    ("agent_go_diagnostics_unreachable_eof.log", "severity"),
    // dd-trace-rb refused at the agent's port is an error (its traces are lost); this case's refusals come at the
    // application's shutdown, which its lines do not show.
    ("agent_ruby_shutdown_conn_refused.log", "severity"),
    // Severity by the pack's policy: kafka-python refused twice within a millisecond is a retry, a warning.
    ("kafka_python_threadid_format_connect_error_111.log", "severity"),
    // Kafka sentences not read: kafka-go's plain `failed to read from current broker ..., not the leader`, KRaft's
    // INFO `CreateTopics result(s)` carrying an error code, and a Go client whose address the reporter replaced by
    // placeholders (`dial tcp IP_OF_KAKFA:PORT_OF_KAFKA`).
    ("kafka_go_reader_not_leader_after_restart.log", "found"),
    ("kafka_go_reader_not_leader_after_restart.log", "root"),
    ("kafka_go_reader_not_leader_after_restart.log", "severity"),
    ("kafka_kraft_invalid_replication_factor_info.log", "found"),
    ("kafka_kraft_invalid_replication_factor_info.log", "root"),
    ("kafka_kraft_invalid_replication_factor_info.log", "severity"),
    ("kafka_go_coordinator_dial_timeout.log", "found"),
    ("kafka_go_coordinator_dial_timeout.log", "root"),
    ("kafka_go_coordinator_dial_timeout.log", "severity"),
    // Writers' sentences not read: fluentd's `dump an error event` (a chunk dropped after its retries), Metricbeat
    // 1.x's error body printed as a byte array, Logstash's JSON codec warning about a field it cannot set, Express's
    // `PayloadTooLargeError`, Faust's `ValueDecodeError`; Kafka Connect's `Task is being killed and will not recover`
    // (the task stopped: an error) is read through its socket time-out only.
    ("es_fluentd_dump_error_event_connect_write_timeout.log", "found"),
    ("es_fluentd_dump_error_event_connect_write_timeout.log", "root"),
    ("es_fluentd_dump_error_event_connect_write_timeout.log", "severity"),
    ("es_metricbeat_cannot_index_status400_bytes.log", "found"),
    ("es_metricbeat_cannot_index_status400_bytes.log", "root"),
    ("es_metricbeat_cannot_index_status400_bytes.log", "severity"),
    ("json_logstash8_codec_event_field_conflict.log", "found"),
    ("json_logstash8_codec_event_field_conflict.log", "root"),
    ("json_logstash8_codec_event_field_conflict.log", "severity"),
    // Logstash's `ParserError` in a file no hop names is counted under kafka-to-es (Logstash's place as a writer to
    // Elasticsearch); this case names no root (the sender, if any).
    ("json_logstash1_trouble_parsing_empty.log", "root"),
    ("json_express_intake_payload_too_large.log", "found"),
    ("json_express_intake_payload_too_large.log", "root"),
    ("json_express_intake_payload_too_large.log", "severity"),
    ("es_kafka_connect_sink_task_killed_read_timeout.log", "severity"),
    // Roots the pack gives otherwise: a document ES cannot parse (`not_x_content_exception`) and a plain-HTTP client on
    // a TLS port are rooted at Elasticsearch; a Gson, Go or Jackson parse error at the component whose file it is (here
    // a reply of Elasticsearch, an ES-to-ES copier); Filebeat reset by Logstash's beats input (no hop); a DNS failure
    // of a bracketed IPv6 address with no port on its line; an OutOfMemoryError printed before any line of the
    // Elasticsearch node's layout.
    ("es_connect_bulk_not_x_content.log", "root"),
    ("es_plaintext_http_on_https_channel.log", "root"),
    ("json_gson_malformed_es_response.log", "root"),
    ("json_esm_go_unmarshal_hits_total.log", "root"),
    ("net_filebeat_logstash_input_reset_loop.log", "root"),
    ("net_filebeat_logstash_input_reset_loop.log", "severity"),
    ("net_node_profiler_ipv6_enotfound.log", "root"),
    ("net_node_profiler_ipv6_enotfound.log", "severity"),
    ("es_python_helpers_bulk_connection_timeout.log", "severity"),
    ("es_oom_heap_dump_netty_fatal.log", "root"),
    ("es_oom_heap_dump_netty_fatal.log", "severity"),
    // Severity by the pack's policy against the case's: a cluster manager not yet elected is a warning for its first
    // five minutes (as the Elasticsearch cases above); a name Elasticsearch's discovery cannot resolve is an error at
    // once.
    ("opensearch_cluster_manager_not_discovered.log", "severity"),
    ("es_discovery_unknown_host_dns.log", "severity"),
    // Sentences no rule reads, for want of a literal place or of the cause on the lines: the 2013 Python forwarder's
    // SSL traceback (its last line is cut in the thread); Ruby OpenSSL's `hostname does not match the server
    // certificate`; Vert.x's `Null body` (a missing body handler); ruby-kafka's `Connection error EOFError`; Zipkin's
    // `over capacity` toward Elasticsearch.
    ("agent_legacy_dd_forwarder_ssl_handshake_traceback.log", "found"),
    ("agent_legacy_dd_forwarder_ssl_handshake_traceback.log", "root"),
    ("agent_legacy_dd_forwarder_ssl_handshake_traceback.log", "severity"),
    ("agent_chef_handler_datadog_proxy_cert_mismatch.log", "found"),
    ("agent_chef_handler_datadog_proxy_cert_mismatch.log", "root"),
    ("agent_chef_handler_datadog_proxy_cert_mismatch.log", "severity"),
    ("json_vertx_web_openapi_null_body_unhandled.log", "found"),
    ("json_vertx_web_openapi_null_body_unhandled.log", "root"),
    ("json_vertx_web_openapi_null_body_unhandled.log", "severity"),
    // Logstash's GELF listener that died on a `ParserError`: read as the parse failure (a warning, counted under
    // kafka-to-es); that the input died is on a line of its own no rule reads.
    ("json_logstash_gelf_listener_died_parsererror.log", "root"),
    ("json_logstash_gelf_listener_died_parsererror.log", "severity"),
    ("kafka_ruby_kafka_logger_eoferror_timeout.log", "found"),
    ("kafka_ruby_kafka_logger_eoferror_timeout.log", "root"),
    ("kafka_ruby_kafka_logger_eoferror_timeout.log", "severity"),
    ("es_zipkin_kafka_collector_over_capacity.log", "found"),
    ("es_zipkin_kafka_collector_over_capacity.log", "root"),
    ("es_zipkin_kafka_collector_over_capacity.log", "severity"),
    // Refused or timed-out connections over seconds (a sender, a tracer, a Kafka client, ZooKeeper's quorum and a
    // broker's start-up check, an ES bulk): a warning until it lasts, as above; these cases call it an error because
    // the thread says it went on, or because what followed (Confluent's `Timed out waiting for connection to Zookeeper
    // server`) has no literal place.
    ("agent_elastic_apm_node_econnrefused_default_serverurl_json.log", "severity"),
    ("agent_jaeger_hotrod_post_traces_refused_docker.log", "severity"),
    ("kafka_spring_bootstrap_broker_disconnected_client_upgrade.log", "severity"),
    ("kafka_cp_startup_zk_connection_refused_docker_desktop.log", "severity"),
    ("zk_quorum_duplicate_myid_cannot_open_channel_compose.log", "severity"),
    ("es_python_streaming_bulk_read_timeout.log", "severity"),
    // Who is at fault for a record or answer a reader cannot decode: the pack names the reader's component (the
    // receiver for an HTTP reader, kafka-to-es for a Kafka client's); these cases name another hop.
    ("json_strimzi_bridge_vertx_decode_exception_jul.log", "root"),
    ("json_ksql_command_topic_invalid_definition_exception.log", "root"),
    // A client-side truncated answer (Akka HTTP's `Entity stream truncation` in a client) is rooted at the agent, as
    // a truncated request body is on a server; the case blames the server that cut it off.
    ("agent_cmwell_entity_stream_retry.log", "root"),
    // A writer speaking an older protocol than the cluster (`NoNodeAvailableException` from a 2.x transport client to
    // ES 5): the lines look like Elasticsearch down; the case blames the writer.
    ("es_kafka_connect_streamreactor_nonode_es5.log", "root"),
    // Round six. Sentences without a literal place in the search (its 127 are taken): Veneur's `Could not POST ...
    // error=403`, lua-resty-kafka's `MessageSizeTooLarge`.
    ("agent_veneur_datadog_403_compose.log", "found"),
    ("agent_veneur_datadog_403_compose.log", "root"),
    ("agent_veneur_datadog_403_compose.log", "severity"),
    ("kafka_lua_resty_message_too_large.log", "found"),
    ("kafka_lua_resty_message_too_large.log", "root"),
    ("kafka_lua_resty_message_too_large.log", "severity"),
    // Severity by the pack's policy: librdkafka's failed commits (`Offset commit (manual) failed ... Broker: Not
    // coordinator for group`) are a warning until five of them or five minutes; the case calls two an error.
    ("kafka_rdkafka_commit_not_coordinator_json.log", "severity"),
    // A fallback kind without an address it knows is rooted at its writer (a Go client's timeout in the Lambda
    // extension, Apache HttpClient retrying toward a host the pack does not place); the cases blame the intake.
    ("agent_lambda_extension_first_attempt_retry_csv.log", "root"),
    ("agent_metrics_datadog_http_retry_socket_closed.log", "root"),
    // A tracer's failed send is an error in the pack (its spans are dropped); the case, once during a test's
    // set-up, wants a warning.
    ("agent_tracer_ruby_econnrefused_parallel_setup.log", "severity"),
    // A broker's start-up failure is the broker's incident; the ZooKeeper timeout that caused it is in its stack
    // trace, which the one kind per record does not read.
    ("kafka_broker_zk_timeout_startup_0_10.log", "root"),
    // `UnknownHostException` is an error at once; the case, a quorum peer not yet in DNS, wants a warning.
    ("zk_quorum_unknown_host_election.log", "severity"),
    // es.no-master's policy (a warning for five minutes, as above).
    ("es_master_not_discovered_zen_k8s.log", "severity"),
    // A unit test's deliberate JsonParseException: the lines cannot tell it from a real one.
    ("json_neg_test_expected_parse_error.log", "severity"),
    // Round seven. Sentences without a literal place in the search: the process agent's `could not decode message
    // from <intake>`, a Cloud Foundry buildpack's `Could not establish a connection to`, Elastic's Node agent's `APM
    // Server transport error`, Fluent Bit's `[error] [out_http] ... HTTP status=413`, ZooKeeper's quorum `Connection
    // broken for id N`; and Python tracebacks whose last line names no failure the pack reads (Agent 4's emitter, a
    // forwarder's `KeyError` on its proxy settings).
    ("agent_r7_process_agent_collector_decode.log", "found"),
    ("agent_r7_process_agent_collector_decode.log", "root"),
    ("agent_r7_process_agent_collector_decode.log", "severity"),
    ("agent_r7_cf_buildpack_log_endpoint_proxy.log", "found"),
    ("agent_r7_cf_buildpack_log_endpoint_proxy.log", "root"),
    ("agent_r7_cf_buildpack_log_endpoint_proxy.log", "severity"),
    ("agent_r7s_elastic_apm_node_lambda_econnreset.log", "found"),
    ("agent_r7s_elastic_apm_node_lambda_econnreset.log", "root"),
    ("agent_r7s_elastic_apm_node_lambda_econnreset.log", "severity"),
    ("agent_r7s_fluentbit_out_http_datadog_413.log", "found"),
    ("agent_r7s_fluentbit_out_http_datadog_413.log", "root"),
    ("agent_r7s_fluentbit_out_http_datadog_413.log", "severity"),
    ("zk_r7b_quorum_connection_broken_istio.log", "found"),
    ("zk_r7b_quorum_connection_broken_istio.log", "root"),
    ("zk_r7b_quorum_connection_broken_istio.log", "severity"),
    ("zk_r7b_quorum_socket_closed_warn.log", "found"),
    ("zk_r7b_quorum_socket_closed_warn.log", "root"),
    ("zk_r7b_quorum_socket_closed_warn.log", "severity"),
    ("agent_r7_legacy_collector_emitter_json_unicode.log", "found"),
    ("agent_r7_legacy_collector_emitter_json_unicode.log", "root"),
    ("agent_r7_legacy_collector_emitter_json_unicode.log", "severity"),
    ("agent_r7_legacy_forwarder_flush_keyerror_proxy.log", "found"),
    ("agent_r7_legacy_forwarder_flush_keyerror_proxy.log", "root"),
    ("agent_r7_legacy_forwarder_flush_keyerror_proxy.log", "severity"),
    // The pack's severity policy against the case's: an Agent 5 forwarder's failed delivery is an error at once
    // (the development half's single 400), here one 599 timeout; retried warnings until they last (the trace agent
    // decoding a tracer's payload, a refused dial beside dd-trace-go's older `unable to flush traces` that no rule
    // reads, the collector's `Exporting failed. Will retry` with an x509 cause, Go's deadline, a refused InfluxDB,
    // Kafka's NOT_LEADER, commit failures); a failing check and dropped spans are errors (the healthy cases: a
    // check's error in the JSON layout, a reporter with no collector on a developer's machine).
    ("agent_r7_sdagent_forwarder_599_timeout.log", "severity"),
    ("agent_r7_trace_receiver_v05_decode.log", "severity"),
    ("agent_r7s_otel_go_sdk_uptrace_export_deadline.log", "severity"),
    ("agent_r7s_telegraf_influxdb_refused_dropping_metrics.log", "severity"),
    ("kafka_r7_scs_not_leader_send_failed_json.log", "severity"),
    ("kafka_r7_egeria_commit_failed_kicked_out.log", "severity"),
    ("agent_neg_r7_json_format_check_error.log", "severity"),
    ("agent_neg_r7s_zipkin_reporter_no_collector_devtool.log", "severity"),
    // Roots: a fallback without an address the pack places is rooted at its writer (Go's deadline toward Uptrace,
    // a dial to InfluxDB); `Too many errors for endpoint` at the receiver (the case: the agent's DNS policy); a
    // record too large at Kafka (the case: its producer).
    ("agent_r7s_otel_go_sdk_uptrace_export_deadline.log", "root"),
    ("agent_r7s_telegraf_influxdb_refused_dropping_metrics.log", "root"),
    ("agent_r7_clc_too_many_errors_dns_policy.log", "root"),
    ("kafka_r7_xtdb_record_too_large.log", "root"),
    // Round eight. Root by the pack's policy against the case's: fluentd's `error_class=OpenSSL::SSL::SSLError` on a flush is read as its Elasticsearch output's (the line names
    // no destination, only the backtrace's frames say dogapi); a Jackson error is rooted at the receiver, the JSON
    // kinds' default, where the case's service read its own documents back from Elasticsearch.
    ("agent_r8a_fluentd_dogapi_tls_local_issuer_k8s.log", "root"),
    ("json_r8b_jackson_invalid_format_es_hit_jul.log", "root"),
    // Severity by the pack's policy: one body cut short is a warning (the development half's entity-stream case), one
    // request without an answer from elasticsearch-py is a warning, and a writer that marks Elasticsearch unreachable
    // is an error at once (the pack cannot tell a start-up race of a few seconds from an outage).
    ("json_r8b_akka_multipart_entity_parse_server.log", "severity"),
    ("es_r8d_client_refused_python.log", "severity"),
    ("es_r8d_kibana_no_living_connections_startup.log", "severity"),
    // SkyWalking's `Bulk [N] executed with failures` waits for a literal place.
    ("es_r8d_bulk_failures_skywalking_oap.log", "found"),
    ("es_r8d_bulk_failures_skywalking_oap.log", "root"),
    ("es_r8d_bulk_failures_skywalking_oap.log", "severity"),
    // Round nine. Sentences waiting for a literal place: Agent 6.0's process-agent `unexpected response from ...
    // Status: 403 Forbidden`, the Jenkins plugin's `API key is invalid, please check your config`.
    ("agent_r9a_process_agent_6_0_403_eu_site_old_layout.log", "found"),
    ("agent_r9a_process_agent_6_0_403_eu_site_old_layout.log", "root"),
    ("agent_r9a_process_agent_6_0_403_eu_site_old_layout.log", "severity"),
    ("agent_r9a_jenkins_datadog_plugin_api_key_invalid_jul.log", "found"),
    ("agent_r9a_jenkins_datadog_plugin_api_key_invalid_jul.log", "root"),
    ("agent_r9a_jenkins_datadog_plugin_api_key_invalid_jul.log", "severity"),
    // Root by the pack's policy: a JSON error is rooted at the receiver when no other component wrote the file, where
    // the case names the reader of an Elasticsearch answer; a refused connection without an address has no target
    // (JanusGraph's line before it names Elasticsearch).
    ("json_r9b_json4s_mapping_es_error_response_client.log", "root"),
    ("es_r9d_client_refused_janusgraph_helm_startup.log", "root"),
    // Severity by the pack's policy: a Ruby client's refused connection is a warning until it lasts ten minutes.
    ("es_r9d_client_refused_faraday_rails.log", "severity"),
    // Round ten. http4s's `MalformedMessageBodyFailure: Malformed message body: Invalid JSON` waits for a literal
    // place.
    ("json_r10a_http4s_circe_jawn_empty_body.log", "found"),
    ("json_r10a_http4s_circe_jawn_empty_body.log", "root"),
    ("json_r10a_http4s_circe_jawn_empty_body.log", "severity"),
    // Round eleven. MirrorMaker 2's producer `Got error produce response ... splitting and retrying ...
    // MESSAGE_TOO_LARGE` waits for a literal place; the Flink sink's line carries its author's placeholder `xx` where
    // the record count is, which no kind reads as a count.
    ("kafka_r11b_mm2_strimzi_message_too_large_split_retry.log", "found"),
    ("kafka_r11b_mm2_strimzi_message_too_large_split_retry.log", "root"),
    ("kafka_r11b_mm2_strimzi_message_too_large_split_retry.log", "severity"),
    ("kafka_r11b_flink_psc_producer_expiring_records.log", "found"),
    ("kafka_r11b_flink_psc_producer_expiring_records.log", "root"),
    ("kafka_r11b_flink_psc_producer_expiring_records.log", "severity"),
    // Severity by the pack's policy, as the older cases above: a retried bulk 429 is an error.
    ("opensearch_r11a_fluentd_plugin_opensearch_429_retry.log", "severity"),
    // Round twelve. Pulsar's `zoo keeper disconnected, waiting to reconnect` waits for a literal place; the Kafka
    // controller's one failed connection to a broker is a warning until it lasts (the case calls it an error).
    ("zk_r12c_pulsar_broker_zk_disconnected_countdown.log", "found"),
    ("zk_r12c_pulsar_broker_zk_disconnected_countdown.log", "root"),
    ("zk_r12c_pulsar_broker_zk_disconnected_countdown.log", "severity"),
    ("kafka_r12c_controller_to_broker_send_thread_unsuccessful_k8s.log", "severity"),
    // Apache HttpClient retrying toward a host the pack does not place is rooted at its writer (as above).
    ("es_r12d_eshadoop_springboot_httpclient_connect_timed_out_retry.log", "root"),
    // Severity by the pack's policy: retries that last seconds are a warning (Vector's 500s for 21 seconds, the
    // collector's retries, Logstash's refused posts in one second, a commit failed once or a few times, Telegraf's
    // timed-out bulk post it keeps in its buffer, HttpClient's retries); one JSON body that cannot be read is an error
    // (the cases call one a warning); a ZooKeeper peer whose name does not resolve is an error at once (as above).
    ("agent_r12a_vector_loki_sink_500_retry_suppressed.log", "severity"),
    ("agent_r12a_logstash_http_output_connection_refused_discarded.log", "severity"),
    ("agent_r12a_otelcol_otlphttp_protobuf_response_eof_retry_compose.log", "severity"),
    ("json_r12b_jackson_eof_array_spring_jetty_request_body.log", "severity"),
    ("json_r12b_go_webhook_unmarshal_unexpected_end_jsonlog.log", "severity"),
    ("kafka_r12c_eventhubs_table_commit_failed_rebalanced.log", "severity"),
    ("kafka_r12c_clickhouse_journald_rdkafka_reqtmout_commitfail.log", "severity"),
    ("zk_r12c_cp_helm_election_unknown_host_headless.log", "severity"),
    ("es_r12d_telegraf_bulk_context_deadline_exceeded.log", "severity"),
    ("es_r12d_eshadoop_springboot_httpclient_connect_timed_out_retry.log", "severity"),
    // Round thirteen. The OpenTelemetry SDK for Python's `Transient error StatusCode.UNAVAILABLE encountered while
    // exporting` is a retry, a warning until it lasts. Sentences without a literal place: Node's body-parser
    // `SyntaxError: Unexpected token P` of Node 6 (it does not say JSON, as a code's syntax error does not), file.d's
    // `can't send data to Loki` with Loki's 400, Jaeger's `Elasticsearch could not process bulk request` (its timeout
    // is a `read: connection timed out` no kind reads).
    ("agent_r13a_otel_python_grpc_unavailable_newrelic_key.log", "severity"),
    ("json_r13b_node_bodyparser_syntaxerror_syslog_docker.log", "found"),
    ("json_r13b_node_bodyparser_syntaxerror_syslog_docker.log", "root"),
    ("json_r13b_node_bodyparser_syntaxerror_syslog_docker.log", "severity"),
    ("json_r13b_filed_loki_push_400_unmarshal_json.log", "found"),
    ("json_r13b_filed_loki_push_400_unmarshal_json.log", "root"),
    ("json_r13b_filed_loki_push_400_unmarshal_json.log", "severity"),
    ("es_r13d_jaeger_ingester_bulk_read_timeout_waiting_connection.log", "found"),
    ("es_r13d_jaeger_ingester_bulk_read_timeout_waiting_connection.log", "root"),
    ("es_r13d_jaeger_ingester_bulk_read_timeout_waiting_connection.log", "severity"),
    // Roots the lines do not give: a .NET service's JSON error in a file no hop names (its scope is unknown, a
    // warning); a circe decoding failure of a Nakadi client's commit answer (the case: the reader, kafka-to-es); Data
    // Prepper's `Connection refused` without an address.
    ("json_r13b_dotnet_stj_jsonexception_serilog_number_as_string.log", "root"),
    ("json_r13b_dotnet_stj_jsonexception_serilog_number_as_string.log", "severity"),
    ("json_r13b_circe_decoding_failure_nakadi_commit_response.log", "root"),
    ("json_r13b_circe_decoding_failure_nakadi_commit_response.log", "severity"),
    ("opensearch_r13d_dataprepper_compose_sink_connection_refused.log", "root"),
    ("opensearch_r13d_dataprepper_compose_sink_connection_refused.log", "severity"),
    // Severity by the pack's policy: a retried or single connection failure is a warning until it lasts
    // (Prometheus's retried batches, the OpenTelemetry Java exporter's one failed export, dd-trace-js refused at 8126
    // once, kafka-go's and franz-go's timeouts and refusals, Sarama's EOF after SASL, Aiven's closed connection);
    // Curator's `Background operation retry gave up` is read through its ConnectionLoss only (as above).
    ("agent_r13a_prometheus_rw_promscale_deadline_reset_eof.log", "severity"),
    ("agent_r13a_otel_java_okhttp_failed_connect_spring.log", "severity"),
    ("agent_r13a_ddtrace_js_econnrefused_ipv6_8126.log", "severity"),
    ("kafka_r13c_xk6_kafka_go_reader_read_tcp_io_timeout.log", "severity"),
    ("kafka_r13c_franz_go_join_group_dial_refused_advertised_loopback.log", "severity"),
    ("kafka_r13c_kafka_exporter_sarama_sasl_metadata_unexpected_eof.log", "severity"),
    ("opensearch_r13d_aiven_connector_connection_closed_bulk.log", "severity"),
    // Round fourteen. A 400 or 413 from the intake is the payload's (json-deserialization), as the pack has it for
    // every sender; this case calls gostatsd's a connection failure. An Akka HTTP server's 500 in a file named for the
    // agent is counted under the agent. Sentences without a literal place: Jackson's `Illegal unquoted character`
    // logged without its exception's name, Curator's `Injecting a session expiration`. No kind reads Akka HTTP's idle
    // `Outgoing response stream error` or a search's `all shards failed`. Severity by the pack's policy: a follower's
    // broken connection to its leader (zk.quorum-link-lost), a client's socket timeout toward Elasticsearch are retried
    // warnings. Elasticsearch's own failed search body is rooted at the JSON family's default (the sender), not at a
    // kafka-to-es the lines do not name.
    ("agent_r14a_gostatsd_datadog_413_sleeping_logrus.log", "found"),
    ("agent_r14a_gostatsd_datadog_413_sleeping_logrus.log", "root"),
    ("agent_r14a_gostatsd_datadog_413_sleeping_logrus.log", "severity"),
    ("agent_r14a_gostatsd_datadog_400_html_bad_request_json.log", "found"),
    ("agent_r14a_gostatsd_datadog_400_html_bad_request_json.log", "root"),
    ("agent_r14a_gostatsd_datadog_400_html_bad_request_json.log", "severity"),
    ("agent_r14a_akka_http_500_ask_timeout_sbt_info_mdc.log", "root"),
    ("json_r14b_jackson_illegal_unquoted_ctrl_char_datax_logback.log", "found"),
    ("json_r14b_jackson_illegal_unquoted_ctrl_char_datax_logback.log", "root"),
    ("json_r14b_jackson_illegal_unquoted_ctrl_char_datax_logback.log", "severity"),
    ("zk_r14c_dolphinscheduler_curator_session_expiration_injected.log", "severity"),
    ("agent_r14a_akka_http_outgoing_response_stream_idle_timeout_prefix.log", "found"),
    ("agent_r14a_akka_http_outgoing_response_stream_idle_timeout_prefix.log", "root"),
    ("agent_r14a_akka_http_outgoing_response_stream_idle_timeout_prefix.log", "severity"),
    ("es_r14d_fess_job_log_aggregator_all_shards_failed.log", "found"),
    ("es_r14d_fess_job_log_aggregator_all_shards_failed.log", "root"),
    ("es_r14d_fess_job_log_aggregator_all_shards_failed.log", "severity"),
    ("zk_r14c_pravega_follower_broken_pipe_to_leader.log", "severity"),
    ("es_r14d_java_api_client_bulk_30s_socket_timeout.log", "severity"),
    ("json_r14b_es2_rest_suppressed_jsonparse_search_source_compose.log", "root"),
    // Round fifteen. Sentences without a literal place: dd-trace-py's `failed to send telemetry` (its cause, the
    // refusal, is cut off in the thread), Fluent Bit's `invalid JSON message, skipping`, the Beats 5 `Connecting error
    // publishing events (retrying): 401 Unauthorized` logged at INFO. No kind reads a broker's `Error processing fetch`
    // for a client's invalid fetch size, or a shard lock not obtained (logged at INFO while the shard is listed). An
    // Akka HTTP client's pool overflow on a bare exception line names no writer: its scope is unknown, a warning. A
    // consumer leaving its group for a slow poll loop names no root (the consumer or its processing), counted under
    // the file's writer. A ZooKeeper leader's `Unexpected exception causing shutdown while sock still open` is not
    // read: the leader logs it at ERROR for every follower that goes away, a restart included. Severity by the
    // pack's policy: a coordinator not available twice, Beats' `temporary bulk send failure` for three seconds are
    // warnings until they last.
    ("agent_r15a_ddtrace_py_telemetry_send_refused_traceback.log", "found"),
    ("agent_r15a_ddtrace_py_telemetry_send_refused_traceback.log", "root"),
    ("agent_r15a_ddtrace_py_telemetry_send_refused_traceback.log", "severity"),
    ("json_r15b_fluentbit_in_tcp_invalid_json_skipping.log", "found"),
    ("json_r15b_fluentbit_in_tcp_invalid_json_skipping.log", "root"),
    ("json_r15b_fluentbit_in_tcp_invalid_json_skipping.log", "severity"),
    ("es_r15d_beats5_connecting_error_401_unauthorized.log", "found"),
    ("es_r15d_beats5_connecting_error_401_unauthorized.log", "root"),
    ("es_r15d_beats5_connecting_error_401_unauthorized.log", "severity"),
    ("kafka_r15c_broker_error_processing_fetch_invalid_max_size_burrow.log", "found"),
    ("kafka_r15c_broker_error_processing_fetch_invalid_max_size_burrow.log", "root"),
    ("kafka_r15c_broker_error_processing_fetch_invalid_max_size_burrow.log", "severity"),
    ("es_r15d_server52_shard_lock_obtain_failed_red.log", "found"),
    ("es_r15d_server52_shard_lock_obtain_failed_red.log", "root"),
    ("es_r15d_server52_shard_lock_obtain_failed_red.log", "severity"),
    ("json_r15b_akka_client_pool_max_open_requests_bare.log", "root"),
    ("json_r15b_akka_client_pool_max_open_requests_bare.log", "severity"),
    ("kafka_r15c_scs_consumer_poll_timeout_leavegroup.log", "root"),
    ("kafka_r15c_scs_consumer_poll_timeout_leavegroup.log", "severity"),
    ("zk_r15c_openmldb_learnerhandler_sock_still_open_eof.log", "found"),
    ("zk_r15c_openmldb_learnerhandler_sock_still_open_eof.log", "root"),
    ("zk_r15c_openmldb_learnerhandler_sock_still_open_eof.log", "severity"),
    ("kafka_r15c_dotnet_rdkafka_group_coordinator_not_available_repeat.log", "severity"),
    ("es_r15d_filebeat61_failed_publish_temporary_bulk_loop.log", "severity"),
    ("es_r15d_filebeat714_compose_failed_publish_reconnect.log", "severity"),
    // Round sixteen. Sentences without a literal place: the agent's `Could not collect endpoints from the API Server:
    // "endpoints is forbidden ...` (the reflector's `failed to list` wording is read), a ZooKeeper server's `Invalid
    // session ... probably expired` at INFO. No kind reads an Akka HTTP route's own stream errors (`Substream Source
    // cannot be materialized more than once`, akka-stream-json's `No complete json entity consumed`). Severity by
    // the pack's policy: client-go's timeouts toward the API server, librdkafka's refused connections at debug level,
    // a ZooKeeper client without a session once in the file are warnings until they last.
    ("agent_r16a_apiserver_endpoints_forbidden_kubectl_prefix.log", "found"),
    ("agent_r16a_apiserver_endpoints_forbidden_kubectl_prefix.log", "root"),
    ("agent_r16a_apiserver_endpoints_forbidden_kubectl_prefix.log", "severity"),
    ("kafka_r16c_embedded_broker_zk_session_renew_invalid_expired.log", "found"),
    ("kafka_r16c_embedded_broker_zk_session_renew_invalid_expired.log", "root"),
    ("kafka_r16c_embedded_broker_zk_session_renew_invalid_expired.log", "severity"),
    ("json_r16b_akka_http_server_substream_materialized_twice_bare.log", "found"),
    ("json_r16b_akka_http_server_substream_materialized_twice_bare.log", "root"),
    ("json_r16b_akka_http_server_substream_materialized_twice_bare.log", "severity"),
    ("json_r16b_akka_http_json_stream_no_complete_entity_consumed.log", "found"),
    ("json_r16b_akka_http_json_stream_no_complete_entity_consumed.log", "root"),
    ("json_r16b_akka_http_json_stream_no_complete_entity_consumed.log", "severity"),
    ("agent_r16a_dca_klog_leader_lock_apiserver_timeouts.log", "severity"),
    ("kafka_r16c_sinek_rdkafka_compose_localhost_refused.log", "severity"),
    ("zk_r16c_strimzi_operator_netty_session0_channel_lost_repeat.log", "severity"),
    // Round seventeen. Sentences without a literal place: hyper's `connection closed before message completed` under
    // an OpenTelemetry export (Apollo Router's JSON log), Sarama's `kafka server: The provided member is not known in
    // the current generation` in a rebalance loop. A JSON parse error a client logs of an answer it read (Node 20's
    // `is not valid JSON`, Python's `JSONDecodeError`) names no hop: no root, a warning. Severity by the pack's policy:
    // client-go's timeouts toward the API server, a consumer's `CommitFailedException`, a KRaft controller that cannot
    // reach its voters for two seconds of start-up are warnings until they last.
    ("agent_r17a_apollo_router_otel_trace_export_conn_closed_json.log", "found"),
    ("agent_r17a_apollo_router_otel_trace_export_conn_closed_json.log", "root"),
    ("agent_r17a_apollo_router_otel_trace_export_conn_closed_json.log", "severity"),
    ("kafka_r17c_sarama_cluster_rebalance_loop_unknown_member.log", "found"),
    ("kafka_r17c_sarama_cluster_rebalance_loop_unknown_member.log", "root"),
    ("kafka_r17c_sarama_cluster_rebalance_loop_unknown_member.log", "severity"),
    ("json_r17b_node20_not_valid_json_doctype_uncaught_web_check.log", "root"),
    ("json_r17b_node20_not_valid_json_doctype_uncaught_web_check.log", "severity"),
    ("json_r17b_python_jsondecodeerror_logging_traceback_gha.log", "root"),
    ("json_r17b_python_jsondecodeerror_logging_traceback_gha.log", "severity"),
    ("agent_r17a_dca_external_metrics_apiserver_timeout_stern.log", "severity"),
    ("kafka_r17c_connect_jdbc_sink_commit_failed_kicked_out_wrapped.log", "severity"),
    ("kafka_r17c_kraft_raftmanager_node_may_not_be_available_sentry.log", "severity"),
    // Round eighteen. Sentences without a literal place: Python's bare `[Errno 111] Connection refused` under a
    // Lambda forwarder's traceback, the serverless agent's `Couldn't read API key from Secrets Manager` and `Can't start
    // the Datadog extension as no API Key has been detected`, datadogpy's `Invalid JSON response` quoting a proxy's
    // 403 page. Severity by the pack's policy: kafkajs failing its seed broker for seven seconds is a warning until it
    // lasts; dogstatsd 5's `Unable to post payload` is an error also while the agent is being stopped.
    ("agent_r18a_lambda_log_forwarder_intake_refused_traceback.log", "found"),
    ("agent_r18a_lambda_log_forwarder_intake_refused_traceback.log", "root"),
    ("agent_r18a_lambda_log_forwarder_intake_refused_traceback.log", "severity"),
    ("agent_r18a_serverless_agent_secrets_access_denied_no_api_key.log", "found"),
    ("agent_r18a_serverless_agent_secrets_access_denied_no_api_key.log", "root"),
    ("agent_r18a_serverless_agent_secrets_access_denied_no_api_key.log", "severity"),
    ("agent_r18a_datadogpy_403_forbidden_by_proxy_rules.log", "found"),
    ("agent_r18a_datadogpy_403_forbidden_by_proxy_rules.log", "root"),
    ("agent_r18a_datadogpy_403_forbidden_by_proxy_rules.log", "severity"),
    ("kafka_r18c_thingsboard_compose_adminclient_node_minus1_kafkajs.log", "severity"),
    ("agent_r18a_legacy_dogstatsd_post_failed_on_restart_journald.log", "severity"),
    // Round nineteen. Sentences without a literal place: Akka HTTP 1.0's `Internal server error, sending 500 response`,
    // Akka's framing `Read N bytes which is more than M without seeing a line terminator` (an upload that is not
    // JSON). A JSON parse error a client logs of an answer it read names no hop (Node's body-parser, Python's
    // `JSONDecodeError` of a 403 page): no root. Severity by the pack's policy: Fluent Bit's outputs without an
    // upstream, the collector's Jaeger exporter refused for 25 seconds, Telegraf's output refused every second for
    // three seconds, a ZooKeeper client that lost its server once are warnings until they last; Kibana not finding its
    // own `.kibana` index at start is an index not found, an error; Vector's health check answered 404 is a warning (it
    // may ask another path than its posts).
    ("json_r19b_akka_http_m5_500_head_with_entity_prefixed.log", "found"),
    ("json_r19b_akka_http_m5_500_head_with_entity_prefixed.log", "root"),
    ("json_r19b_akka_http_m5_500_head_with_entity_prefixed.log", "severity"),
    ("json_r19b_akka_upload_framing_no_line_terminator_pod_prefix_hmda.log", "found"),
    ("json_r19b_akka_upload_framing_no_line_terminator_pod_prefix_hmda.log", "root"),
    ("json_r19b_akka_upload_framing_no_line_terminator_pod_prefix_hmda.log", "severity"),
    ("json_r19b_node_bodyparser_unexpected_comma_windows_chinese.log", "root"),
    ("json_r19b_python_requests_jsondecodeerror_loguru_chinese_403_html.log", "root"),
    ("json_r19b_python_requests_jsondecodeerror_loguru_chinese_403_html.log", "severity"),
    ("agent_r19a_fluentbit_forward_refused_no_upstream_endless.log", "severity"),
    ("agent_r19a_fluentbit_forward_upstream_timeouts_cri_ts.log", "severity"),
    ("agent_r19a_otelcol_jaeger_exporter_refused_retries.log", "severity"),
    ("agent_r19a_telegraf_influxdb_403_site_disabled_repeating.log", "severity"),
    ("zk_r19c_dolphinscheduler_worker_zk_eos_waiting.log", "severity"),
    ("es_r19d_kibana73_stats_index_not_found_cn.log", "severity"),
    ("agent_r17a_vector_healthcheck_404_not_found.log", "severity"),
    // Round twenty (captured from Kubernetes, structured layouts). Sentences without a literal place: the ECK
    // operator's `Recoverable error while retrieving Elasticsearch cluster UUID`, a Juju charm's bare `[Errno 111]
    // Connection refused`, a Flask webhook's `Expecting ',' delimiter` with no exception name. A JSON parse error
    // in a service no hop names (Fastify, a Python script, Confluent's REST proxy) or a connection refused without
    // an address the pack places (a Spring health check) has no root. Severity by the pack's policy: senders
    // retrying a refusal, a DNS failure, a 400 or a 504 for seconds, kafkajs's seed broker timing out three times, a
    // ZooKeeper client's one reset are warnings until they last; librdkafka's `1/1 brokers are down` after a name
    // that does not resolve is an error (the case: a few seconds at start-up).
    ("es_r20d_eck_operator_es_http_timeout_ecs.log", "found"),
    ("es_r20d_eck_operator_es_http_timeout_ecs.log", "root"),
    ("es_r20d_eck_operator_es_http_timeout_ecs.log", "severity"),
    ("opensearch_r20d_charm_operator_juju_refused.log", "found"),
    ("opensearch_r20d_charm_operator_juju_refused.log", "root"),
    ("opensearch_r20d_charm_operator_juju_refused.log", "severity"),
    ("json_r20b_python_flask_webhook_expecting_delimiter_info.log", "found"),
    ("json_r20b_python_flask_webhook_expecting_delimiter_info.log", "root"),
    ("json_r20b_python_flask_webhook_expecting_delimiter_info.log", "severity"),
    ("json_r20b_fastify_pino_pretty_unexpected_token_400.log", "root"),
    ("json_r20b_fastify_pino_pretty_unexpected_token_400.log", "severity"),
    ("json_r20b_python313_jsondecodeerror_compose_v2.log", "root"),
    ("json_r20b_python313_jsondecodeerror_compose_v2.log", "severity"),
    ("json_r20b_kafka_rest_jsonmapping_unhandled_500.log", "root"),
    ("es_r20d_refused_springboot_health_kubectl_prefix.log", "root"),
    ("es_r20d_refused_springboot_health_kubectl_prefix.log", "severity"),
    ("agent_r20a_fluentbit_out_http_400_flush_retry.log", "severity"),
    ("agent_r20a_fluentbit_out_http_broken_connection_k8s.log", "severity"),
    ("agent_r20a_otel_json_otlp_dns_no_such_host.log", "severity"),
    ("agent_r20a_otel_sumo_otlphttp_504_retries.log", "severity"),
    ("kafka_r20c_kafkajs_json_seed_broker_timeout.log", "severity"),
    ("zk_r20c_strimzi_topic_operator_connection_reset.log", "severity"),
    ("kafka_r20c_php_rdkafka_resolve_brokers_down.log", "severity"),
    // Round twenty-one (longer captures, the failure among routine lines). Sentences without a literal place:
    // kafka-python's `Heartbeat session expired, marking coordinator dead`, fluentd's `Could not communicate to
    // Elasticsearch, resetting connection and trying again` (read by its Ruby resolver error alone: a name that does not
    // resolve, rooted nowhere and a warning where no hop is named), spray's `Illegal request, responding with status '414
    // Request-URI Too Long'` (its 400s are noise in the development half). A JSON error of a backend reading from
    // Kafka is rooted at the reader (kafka-to-es), the case says the receiver. Severity by the pack's policy:
    // Telegraf's outputs failing for a minute, a refusal twice at start-up, Sarama's coordinator not available once,
    // kafkajs reconnecting, ZooKeeper servers closing a client's socket, librdkafka's `1/1 brokers are down`, fluentd's
    // read timeouts every 30 seconds, Zen pinging at a first start are warnings until they last.
    ("agent_r21a_telegraf_influxdb_post_eof_amid_sqlserver_noise.log", "severity"),
    ("agent_r21a_telegraf_influxdb_503_502_client_timeout_repeating.log", "severity"),
    ("agent_r21a_telegraf_influxdb_refused_right_after_startup.log", "severity"),
    ("json_r21b_skywalking_kafka_fetcher_gson_malformed.log", "root"),
    ("json_r21b_snowplow_spray_illegal_request_414_uri_too_long.log", "found"),
    ("json_r21b_snowplow_spray_illegal_request_414_uri_too_long.log", "root"),
    ("json_r21b_snowplow_spray_illegal_request_414_uri_too_long.log", "severity"),
    ("kafka_r21c_sarama_consumer_offsets_leaderless_coordinator.log", "severity"),
    ("zk_r21c_broker_zk_ensemble_closes_socket_sessionid_0x0.log", "severity"),
    ("kafka_r21c_kafkajs_tls_disconnected_timeout_brokerpool.log", "severity"),
    ("kafka_r21c_kafka_python_heartbeat_session_expired_coordinator_dead.log", "found"),
    ("kafka_r21c_kafka_python_heartbeat_session_expired_coordinator_dead.log", "root"),
    ("kafka_r21c_kafka_python_heartbeat_session_expired_coordinator_dead.log", "severity"),
    ("kafka_r21c_librdkafka_produce_requests_timed_out_all_brokers_down.log", "severity"),
    ("opensearch_r21d_fluentd_resolv_retry.log", "root"),
    ("opensearch_r21d_fluentd_resolv_retry.log", "severity"),
    ("es_r21d_fluentd_rkt_journal_read_timeout.log", "severity"),
    ("es_r21d_zen_not_enough_master_nodes_68.log", "severity"),
    // Round twenty-two (threads found with other words: exception classes, products embedding the software).
    // Sentences without a literal place: Elasticsearch's `[gc][N] overhead, spent [3.5s] collecting in the last
    // [3.9s]`. Kafka Connect's `Tolerance exceeded in error handler` names no JSON error (the case's cause is in its
    // thread's title). A node leaving during a planned rollout, logged at INFO, is routine to the pack. Severity by the
    // pack's policy: Zen pinging without a master is a warning until it lasts; a producer's NOT_ENOUGH_REPLICAS is an
    // error at once (every other case of it says so); a parse error of a truncated body is an error also when the
    // case calls it a single transient.
    ("es_r22b_gc_overhead_old_gen_6x.log", "found"),
    ("es_r22b_gc_overhead_old_gen_6x.log", "root"),
    ("es_r22b_gc_overhead_old_gen_6x.log", "severity"),
    ("es_r22b_node_left_yellow_rollout_5x.log", "found"),
    ("es_r22b_node_left_yellow_rollout_5x.log", "root"),
    ("es_r22b_node_left_yellow_rollout_5x.log", "severity"),
    ("es_r22b_zen_not_enough_masters_client_k8s_5x.log", "severity"),
    ("kafka_r22c_knative_receiver_json_not_enough_replicas_retrying.log", "severity"),
    ("json_r22d_kafka_connect_sink_tolerance_exceeded_non_json.log", "found"),
    ("json_r22d_kafka_connect_sink_tolerance_exceeded_non_json.log", "root"),
    ("json_r22d_kafka_connect_sink_tolerance_exceeded_non_json.log", "severity"),
    ("json_r22d_netty_socketio_jackson24_eof_in_value_string.log", "severity"),
    ("json_r22d_codeine_jetty_gson_unterminated_string_partial_file_warn.log", "severity"),
    // Round twenty-three (the agent, ZooKeeper and brokers, the receiver's producer, healthy logs). Sentences without
    // a literal place: Maxwell's `Batch Expired`, Hermes's `Async timeout ... SENDING_TO_KAFKA_PRODUCER_QUEUE`. Not
    // read as telemetry failures: agent 5's info page failing to validate its key, the cluster agent's informers
    // without RBAC, an Akka stream stage failing on a serializer a test injects, akka-grpc's substream materialized
    // twice. Severity by the pack's policy: the trace-agent's read limit on one payload is a warning; a controller
    // reconnecting to a broker is a warning until it lasts.
    ("agent_r23a_agent5_validate_api_key_no_proxy_traceback.log", "found"),
    ("agent_r23a_agent5_validate_api_key_no_proxy_traceback.log", "root"),
    ("agent_r23a_agent5_validate_api_key_no_proxy_traceback.log", "severity"),
    ("agent_r23a_cluster_agent_orchestrator_informer_rbac.log", "found"),
    ("agent_r23a_cluster_agent_orchestrator_informer_rbac.log", "root"),
    ("agent_r23a_cluster_agent_orchestrator_informer_rbac.log", "severity"),
    ("agent_r23a_trace_agent_v04_read_limit_dotnet.log", "severity"),
    ("kafka_r23b_controller_update_metadata_send_fails_sentry_compose.log", "severity"),
    ("kafka_r23c_maxwell_batch_expired.log", "found"),
    ("kafka_r23c_maxwell_batch_expired.log", "root"),
    ("kafka_r23c_maxwell_batch_expired.log", "severity"),
    ("kafka_r23c_hermes_async_timeout_producer_queue.log", "found"),
    ("kafka_r23c_hermes_async_timeout_producer_queue.log", "root"),
    ("kafka_r23c_hermes_async_timeout_producer_queue.log", "severity"),
    ("receiver_r23c_akka_grpc_substream_materialized_twice.log", "found"),
    ("receiver_r23c_akka_grpc_substream_materialized_twice.log", "root"),
    ("receiver_r23c_akka_grpc_substream_materialized_twice.log", "severity"),
    ("kafka_r23c_alpakka_committing_producer_stage_failed.log", "found"),
    ("kafka_r23c_alpakka_committing_producer_stage_failed.log", "root"),
    ("kafka_r23c_alpakka_committing_producer_stage_failed.log", "severity"),
    // Round twenty-four (OpenSearch and newer Elastic writers, Elasticsearch 2-7 with Java clients, Kafka clients of
    // other frameworks, Scala intakes). Severity by the pack's policy: a client's MasterNotDiscoveredException is an
    // error (it already waited the master timeout), also at a first start; Sarama's leader election through
    // Telegraf is a warning until it lasts. Logstash's license checker and monitoring without a live node are a
    // warning until they last: they need not use the output's hosts (round twenty-one's case calls it an error).
    ("es_r21d_logstash816_license_no_connections.log", "severity"),
    ("es_r24b_es2_plugin_master_not_discovered_state_not_recovered.log", "severity"),
    ("kafka_r24c_telegraf15_sarama_leadership_election_circuit_breaker.log", "severity"),
    // Round twenty-five (how long a failure lasts: repeats, recoveries, restarts). Sentences without a literal place:
    // librdkafka's `N request(s) timed out: disconnect`, Sarama's `state change to [retrying] ... not the leader`,
    // go-zookeeper's expired session outside its authentication sentence (and the go-zookeeper/zk fork's
    // `authentication expired:`), Go's `dial tcp H:P: connection refused` before `connect:` was added to it. Not read
    // as telemetry failures: logdna's websocket closing with
    // 1006, Wazuh's indexer health checks during an upgrade, Druid's `Unable to parse row`, a Zipkin 400 printed by
    // flask-zipkin. Severity by the pack's policy: retries are warnings until they last (logstash-forwarder's TLS
    // timeouts over 90 s, kafka-node's reconnects, kafkajs's and kafka-python's retries within seconds); Filebeat's
    // `temporary bulk send failure` is a warning (it retries the items); a writer's output that cannot reach
    // Elasticsearch is an error at once (fluentd's `could not push logs`, Filebeat's refused connections), as the
    // shared corpus's Logstash case has it.
    ("agent_r25a_logdna_ws_1006_reconnect_reauth_recovered.log", "found"),
    ("agent_r25a_logdna_ws_1006_reconnect_reauth_recovered.log", "root"),
    ("agent_r25a_logdna_ws_1006_reconnect_reauth_recovered.log", "severity"),
    ("agent_r25a_logstash_forwarder_tls_handshake_timeouts_loop.log", "severity"),
    ("agent_r25a_logstash_forwarder_refused_every_second_syslog.log", "found"),
    ("agent_r25a_logstash_forwarder_refused_every_second_syslog.log", "root"),
    ("agent_r25a_logstash_forwarder_refused_every_second_syslog.log", "severity"),
    ("kafka_r25b_kafkanode_econnrefused_reconnect_every_30s.log", "severity"),
    ("kafka_r25b_kafkajs_seed_broker_timeouts_retrycount.log", "severity"),
    ("kafka_r25b_kafka_python_coordinator_unknown_heartbeat_loop.log", "severity"),
    ("kafka_r25b_librdkafka_requests_timed_out_disconnect_repeated.log", "found"),
    ("kafka_r25b_librdkafka_requests_timed_out_disconnect_repeated.log", "root"),
    ("kafka_r25b_librdkafka_requests_timed_out_disconnect_repeated.log", "severity"),
    ("kafka_r25b_dotnet_single_request_timeout_nonfatal.log", "found"),
    ("kafka_r25b_dotnet_single_request_timeout_nonfatal.log", "root"),
    ("kafka_r25b_dotnet_single_request_timeout_nonfatal.log", "severity"),
    ("kafka_r25b_sarama_not_leader_retry_rolling_restart.log", "found"),
    ("kafka_r25b_sarama_not_leader_retry_rolling_restart.log", "root"),
    ("kafka_r25b_sarama_not_leader_retry_rolling_restart.log", "severity"),
    ("zk_r25b_gopush_session_always_expired.log", "found"),
    ("zk_r25b_gopush_session_always_expired.log", "root"),
    ("zk_r25b_gopush_session_always_expired.log", "severity"),
    ("es_r25c_filebeat6_bulk_item_500_empty_index_name.log", "severity"),
    ("es_r25c_fluentd_read_timeout_retry_succeeded.log", "severity"),
    ("opensearch_r25c_filebeat_wazuh_indexer_refused_reconnecting.log", "severity"),
    ("opensearch_r25c_wazuh_indexer_connector_upgrade_burst.log", "found"),
    ("opensearch_r25c_wazuh_indexer_connector_upgrade_burst.log", "root"),
    ("opensearch_r25c_wazuh_indexer_connector_upgrade_burst.log", "severity"),
    ("json_r25d_druid021_kafka_task_unable_to_parse_row_task_failed.log", "found"),
    ("json_r25d_druid021_kafka_task_unable_to_parse_row_task_failed.log", "root"),
    ("json_r25d_druid021_kafka_task_unable_to_parse_row_task_failed.log", "severity"),
    ("json_r25d_flask_zipkin_sender_400_expected_value_list_span.log", "found"),
    ("json_r25d_flask_zipkin_sender_400_expected_value_list_span.log", "root"),
    ("json_r25d_flask_zipkin_sender_400_expected_value_list_span.log", "severity"),
    // Round twenty-six (newer versions: Elasticsearch 8, OpenSearch 2, Kafka 3, the OpenTelemetry Collector,
    // Jackson 2.16+, Kotlin servers). Sentences without a literal place: franz-go's `unable to commit offsets ...
    // UNKNOWN_MEMBER_ID`, elastic_transport's `Retrying request after non-successful status 429` (its `has failed
    // for N times in a row` follows 429s and 5xx answers as well as lost connections: no one kind). Not read as a
    // telemetry failure: Spring Boot's web server failing to start (its cause past the paste). Kotlin's JSON reader
    // in a program no hop names is a warning rooted nowhere (the scope policy). Severity by the pack's policy: a
    // producer's NOT_LEADER_OR_FOLLOWER is a warning (the client refreshes its metadata); Kafka Connect's flush
    // timeout is a warning until it lasts (the task goes on, its offsets wait for the next commit). dCache's ZooKeeper
    // client: its `Session ... Closing socket connection. Attempting reconnect except it is a SessionExpiredException.`
    // (the newer client's wording, expired or not) is read by zk.connection-lost, a warning until it lasts, and the
    // expiry on the exception line below is the same record's (one kind per record), so zk.session-expired is not.
    ("zk_r26b_dcache_client_session_expired.log", "severity"),
    ("agent_r26a_springboot34_netty_webserver_start_failed.log", "found"),
    ("agent_r26a_springboot34_netty_webserver_start_failed.log", "root"),
    ("agent_r26a_springboot34_netty_webserver_start_failed.log", "severity"),
    ("kafka_r26b_schema_registry_not_leader_or_follower.log", "severity"),
    ("kafka_r26b_connect_msk_flush_timeout.log", "severity"),
    ("kafka_r26b_franz_go_commit_unknown_member_id.log", "found"),
    ("kafka_r26b_franz_go_commit_unknown_member_id.log", "root"),
    ("kafka_r26b_franz_go_commit_unknown_member_id.log", "severity"),
    ("es_r26c_elastic_transport_bulk_429_retry.log", "found"),
    ("es_r26c_elastic_transport_bulk_429_retry.log", "root"),
    ("es_r26c_elastic_transport_bulk_429_retry.log", "severity"),
    ("json_r26d_kotlinx_unexpected_token_sse_data_prefix.log", "root"),
    ("json_r26d_kotlinx_unexpected_token_sse_data_prefix.log", "severity"),
    // Round twenty-seven (layouts and captures: journald, compose, klog, zap, zerolog, bunyan; cascades; failures
    // among routine lines). Sentences without a literal place: kazoo's (Python) `Connection dropped: socket
    // connection ...` and `Zookeeper session lost, state: EXPIRED_SESSION` (its `state: CLOSED` is also a clean
    // close), the APM Server's `Problem validating JSON document against schema`. Not read as telemetry failures: the
    // Strimzi operator's `Zookeeper leader could not be found`. kafka-node's `Broker not available` is a warning until it lasts (it reconnects); the unhandled
    // crash below it names no broker. Roots from the thread, not the lines: a forwarder
    // backing off from its endpoint is the intake's unless a key error says otherwise; a JSON reader in a program no
    // hop names (Kestrel, body-parser) is rooted nowhere (the scope policy); Logstash's codec is the reader's. A codec
    // error in a single record is a warning until it lasts.
    ("agent_r27a_too_many_errors_two_layouts.log", "root"),
    ("zk_r27b_strimzi_operator_zookeeper_leader_not_found.log", "found"),
    ("zk_r27b_strimzi_operator_zookeeper_leader_not_found.log", "root"),
    ("zk_r27b_strimzi_operator_zookeeper_leader_not_found.log", "severity"),
    ("zk_r27b_kazoo_syslog_broken_pipe_session_lost.log", "found"),
    ("zk_r27b_kazoo_syslog_broken_pipe_session_lost.log", "root"),
    ("zk_r27b_kazoo_syslog_broken_pipe_session_lost.log", "severity"),
    ("zk_r27b_asab_kazoo_connection_dropped_suspended_refused.log", "found"),
    ("zk_r27b_asab_kazoo_connection_dropped_suspended_refused.log", "root"),
    ("zk_r27b_asab_kazoo_connection_dropped_suspended_refused.log", "severity"),
    ("json_r27d_dotnet_kestrel_fail_newtonsoft_decimal_request.log", "root"),
    ("json_r27d_dotnet_kestrel_fail_newtonsoft_decimal_request.log", "severity"),
    ("json_r27d_logstash5_json_codec_root_level_plaintext.log", "severity"),
    ("json_r27d_logstash7_jsonlines_codec_tls_bytes_on_plain_tcp.log", "root"),
    ("json_r27d_logstash7_jsonlines_codec_tls_bytes_on_plain_tcp.log", "severity"),
    ("json_r27d_node_bodyparser_compose_expected_comma_after_value.log", "root"),
    ("json_r27e_elasticapm_python_400_schema_unexpected_eof.log", "found"),
    ("json_r27e_elasticapm_python_400_schema_unexpected_eof.log", "root"),
    ("json_r27e_elasticapm_python_400_schema_unexpected_eof.log", "severity"),
    ("kafka_r27f_nodejs_kafka_node_broker_not_available_amid_app_lines.log", "severity"),
    // Round twenty-eight (the Scala and Akka stack StackState is written in). Sentences without a literal place: Akka
    // HTTP's `connection pool for PoolGateway(...) has shut down unexpectedly`, Alpakka Kafka's `Wake up has been
    // triggered N times` (its limit exceeded is read). Not read as telemetry failures: Akka Streams' `No elements passed
    // in the last 1 minute` (an idle connection closed), an application's own `Failed to connect to triplestore`, a
    // loader's `Shutting down application as unable to connect to Elasticsearch` (its cause an ElasticError of its
    // own making). Severity by the pack's policy: a connection refused or timed out is a warning until it lasts (one
    // record here, the thread says it lasted); a client whose I/O reactor stopped is a warning for its first records
    // (a client closed at shutdown says the same). A JSON reader in a program no hop names is rooted nowhere.
    ("agent_r28a_akka_pool_shutdown_refused.log", "found"),
    ("agent_r28a_akka_pool_shutdown_refused.log", "root"),
    ("agent_r28a_akka_pool_shutdown_refused.log", "severity"),
    ("agent_r28a_akka_server_idle_no_elements.log", "found"),
    ("agent_r28a_akka_server_idle_no_elements.log", "root"),
    ("agent_r28a_akka_server_idle_no_elements.log", "severity"),
    ("agent_r28a_finagle_connect_timeout_serverset.log", "severity"),
    ("agent_r28a_akka_client_triplestore_sbt.log", "found"),
    ("agent_r28a_akka_client_triplestore_sbt.log", "root"),
    ("agent_r28a_akka_client_triplestore_sbt.log", "severity"),
    ("json_r28a_jsoniter_missing_field.log", "root"),
    ("json_r28a_jsoniter_missing_field.log", "severity"),
    ("kafka_r28b_akka_default_layout_wakeup_timeout_dump.log", "found"),
    ("kafka_r28b_akka_default_layout_wakeup_timeout_dump.log", "root"),
    ("kafka_r28b_akka_default_layout_wakeup_timeout_dump.log", "severity"),
    ("es_r28c_cortex_elastic4s_javaclient_wrapper_refused_akka_dispatcher.log", "severity"),
    ("es_r28c_snowplow_loader_elastic4s_request_failure_429_shutdown.log", "found"),
    ("es_r28c_snowplow_loader_elastic4s_request_failure_429_shutdown.log", "root"),
    ("es_r28c_snowplow_loader_elastic4s_request_failure_429_shutdown.log", "severity"),
    ("es_r28c_lagom_sbt_runall_oneforone_es_refused_9200.log", "severity"),
    ("es_r28c_fscrawler_bulk_listener_timeout_30000.log", "severity"),
    ("es_r28c_rest_client_async_io_reactor_stopped_dao_onfailure.log", "severity"),
    // Round twenty-nine (the servers' and the agent's own logs; few unused threads were left). Sentences without a
    // literal place: ZooKeeper's `fsync-ing the write ahead log in SyncThread:0 took Nms`. Not read: the master's
    // `received shard failed for ...` (ES 5 on writes it for `mark copy as stale` too, routine:
    // es_neg_shard_failed_mark_stale.log), a broker's `Error processing fetch operation` (its causes vary; here a
    // short segment file). An Elasticsearch node out of heap is read as jvm.out-of-memory, a connection-family kind;
    // the case files it under indexing.
    ("es_r29a_oom_gc_overhead_2x.log", "found"),
    ("es_r29a_oom_gc_overhead_2x.log", "root"),
    ("es_r29a_oom_gc_overhead_2x.log", "severity"),
    ("es_r29a_received_shard_failed_resend_2x.log", "found"),
    ("es_r29a_received_shard_failed_resend_2x.log", "root"),
    ("es_r29a_received_shard_failed_resend_2x.log", "severity"),
    ("zk_r29b_embedded_zk_fsync_20s_kafka_test.log", "found"),
    ("zk_r29b_embedded_zk_fsync_20s_kafka_test.log", "root"),
    ("zk_r29b_embedded_zk_fsync_20s_kafka_test.log", "severity"),
    ("zk_r29b_zk_jenkins_single_fsync_2240ms_bytes_wording.log", "found"),
    ("zk_r29b_zk_jenkins_single_fsync_2240ms_bytes_wording.log", "root"),
    ("zk_r29b_zk_jenkins_single_fsync_2240ms_bytes_wording.log", "severity"),
    ("kafka_r29b_broker_fetch_eof_log_header_glusterfs.log", "found"),
    ("kafka_r29b_broker_fetch_eof_log_header_glusterfs.log", "root"),
    ("kafka_r29b_broker_fetch_eof_log_header_glusterfs.log", "severity"),
    // Round thirty (Elasticsearch writers of 2022-2026, Kafka clients and brokers in production, JSON intakes, pods'
    // captures, healthy near misses).
    // Sentences without a literal place: librdkafka's `Application maximum poll interval (Nms) exceeded by Nms ...
    // leaving group`, ZooKeeper's `Refusing session request for client ... as it has seen zxid`, Fluent Bit's `[gzip]
    // maximum decompression size is 100MB`, VictoriaMetrics' `cannot parse Loki
    // json request` and `skipping json line`. Not read: Kafka Streams' fenced thread and librdkafka's fenced
    // transactional producer (neither a connection, an index nor a payload failure), Zipkin 1's `Cannot decode spans
    // due to ...` and Splunk HEC's `Incorrect index` (one program's answers), SkyWalking's `table: alarm_record does
    // not exist` while it waits in no-init mode (INFO), the OTel Collector's Kafka receiver `failed to unmarshal
    // message` (protobuf), Fluent Bit's `HTTP status=403 URI=/_bulk` (from the status alone: a cluster block answers
    // 403 too; the body on the next line is Amazon's), Armeria's `maxContentLength: M, contentLength: N` (its client
    // says the same of a response). Severity as labelled differs where the writer retries: Fluent Bit's `failed to
    // flush chunk` after a TLS error, Logstash's license checker, a 400 from Fluent Bit's in_http, Quarkus answering
    // one empty body, librdkafka's suppressed refusals, a connection closed under a Connect task, a node's follow-up
    // check; Kafka's `consumer poll timeout has expired` is rooted at Kafka, not at the slow consumer, and a Go tracer
    // refused by its collector at the tracer's side.
    ("es_r30a_fluentbit198_windows_tls_dh_lib_flush_retry.log", "severity"),
    ("es_r30a_logstash8_licensechecker_pkix_path_building_compose.log", "severity"),
    ("kafka_r30b_confluent_go_maxpoll_leaving_group_workers_dead.log", "found"),
    ("kafka_r30b_confluent_go_maxpoll_leaving_group_workers_dead.log", "root"),
    ("kafka_r30b_confluent_go_maxpoll_leaving_group_workers_dead.log", "severity"),
    ("kafka_r30b_streams_thread_fenced_task_migrated_commit_txn.log", "found"),
    ("kafka_r30b_streams_thread_fenced_task_migrated_commit_txn.log", "root"),
    ("kafka_r30b_streams_thread_fenced_task_migrated_commit_txn.log", "severity"),
    ("kafka_r30b_quarkus_streams_poll_timeout_expired_consumption_stopped.log", "root"),
    ("kafka_r30b_quarkus_streams_poll_timeout_expired_consumption_stopped.log", "severity"),
    ("kafka_r30b_librdkafka_txn_producer_fenced_fatal_getpid.log", "found"),
    ("kafka_r30b_librdkafka_txn_producer_fenced_fatal_getpid.log", "root"),
    ("kafka_r30b_librdkafka_txn_producer_fenced_fatal_getpid.log", "severity"),
    ("zk_r30b_server_refusing_session_client_seen_higher_zxid_loop.log", "found"),
    ("zk_r30b_server_refusing_session_client_seen_higher_zxid_loop.log", "root"),
    ("zk_r30b_server_refusing_session_client_seen_higher_zxid_loop.log", "severity"),
    ("json_r30c_fluentbit_aggregator_forward_gzip_100mb_uncompress_failure.log", "found"),
    ("json_r30c_fluentbit_aggregator_forward_gzip_100mb_uncompress_failure.log", "root"),
    ("json_r30c_fluentbit_aggregator_forward_gzip_100mb_uncompress_failure.log", "severity"),
    ("json_r30c_osis_http_source_max_content_length_exceeded.log", "found"),
    ("json_r30c_osis_http_source_max_content_length_exceeded.log", "root"),
    ("json_r30c_osis_http_source_max_content_length_exceeded.log", "severity"),
    ("json_r30c_quarkus_resteasy_reactive_no_content_empty_body_500.log", "severity"),
    ("agent_r30c_fluentd_splunk_hec_incorrect_index_failed_post.log", "found"),
    ("agent_r30c_fluentd_splunk_hec_incorrect_index_failed_post.log", "root"),
    ("agent_r30c_fluentd_splunk_hec_incorrect_index_failed_post.log", "severity"),
    ("agent_r30c_fluentbit_out_http_400_invalid_request_from_in_http.log", "severity"),
    ("json_r30c_zipkin_http_collector_cannot_decode_spans_ipv4_hostname.log", "found"),
    ("json_r30c_zipkin_http_collector_cannot_decode_spans_ipv4_hostname.log", "root"),
    ("json_r30c_zipkin_http_collector_cannot_decode_spans_ipv4_hostname.log", "severity"),
    ("json_r30c_victorialogs_loki_push_streams_null_journald.log", "found"),
    ("json_r30c_victorialogs_loki_push_streams_null_journald.log", "root"),
    ("json_r30c_victorialogs_loki_push_streams_null_journald.log", "severity"),
    ("json_r30c_vmsingle_import_skipping_truncated_json_line.log", "root"),
    ("json_r30c_vmsingle_import_skipping_truncated_json_line.log", "severity"),
    ("opensearch_r30a_fluentbit18_aws_domain_bulk_403_basic_auth_sigv4_required.log", "found"),
    ("opensearch_r30a_fluentbit18_aws_domain_bulk_403_basic_auth_sigv4_required.log", "root"),
    ("opensearch_r30a_fluentbit18_aws_domain_bulk_403_basic_auth_sigv4_required.log", "severity"),
    ("kafka_r30e_snuba_k8s_rdkafka_bootstrap_refused_suppressed.log", "severity"),
    ("es_r30e_skywalking_helm_oap_noinit_alarm_record_index_missing_wait.log", "found"),
    ("es_r30e_skywalking_helm_oap_noinit_alarm_record_index_missing_wait.log", "root"),
    ("es_r30e_skywalking_helm_oap_noinit_alarm_record_index_missing_wait.log", "severity"),
    ("es_r30e_cfk_operator_connector_apply_failed_es_connection_closed.log", "severity"),
    ("opensearch_r30e_helm_master0_followup_connection_unexpected_remote_node_loopback.log", "severity"),
    ("json_r30e_alloy_otelcol_kafka_receiver_strimzi_unmarshal_wiretype_loop.log", "found"),
    ("json_r30e_alloy_otelcol_kafka_receiver_strimzi_unmarshal_wiretype_loop.log", "root"),
    ("json_r30e_alloy_otelcol_kafka_receiver_strimzi_unmarshal_wiretype_loop.log", "severity"),
    ("agent_r30e_sockshop_gokit_zipkin_reporter_jaeger_collector_refused_kubectl.log", "root"),
    ("agent_r30e_sockshop_gokit_zipkin_reporter_jaeger_collector_refused_kubectl.log", "severity"),
    // Round thirty-one (Elasticsearch 8 and OpenSearch 2 servers, JSON decoding of 2022-2026, JVM HTTP clients).
    // Sentences without a literal place: Elasticsearch 8's launcher `ERROR: Elasticsearch exited unexpectedly`, the
    // transport layer's `client did not trust this server's certificate`, serde_json's `expected value at line N column
    // M`. Not read: Beats' `failed to perform any bulk index operations: Post ...: EOF` (a Go client's EOF has many
    // causes), one program's own answers (Langfuse's 400, the Lambda extension's `LogMessage.UnmarshalJSON`, Quickwit's
    // mapping, Filebeat reading a bulk response another server wrote, Armeria's `EmptyEndpointGroupException`, Zeebe's
    // `Failed to put component template`, Spring Data's `Connection closed unexpectedly` without its cause), a Go panic
    // on a null record. Severity as labelled differs where the file shows one record of a retried or transient kind (a
    // client stopped, an export failed, a read or connect timed out, a connection closed, plain HTTP on the HTTPS port,
    // a cluster manager not found yet); root differs where the reader is named (a body-parser, a Gson or Jackson reader
    // of another server's answer), where the sender is (a forwarder's read timeout, a tracer's reset), or where the
    // peer is unknown (a node's TLS).
    ("es_r31a_es88_compose_exited_137_oom_filebeat_bulk_eof.log", "found"),
    ("es_r31a_es88_compose_exited_137_oom_filebeat_bulk_eof.log", "root"),
    ("es_r31a_es88_compose_exited_137_oom_filebeat_bulk_eof.log", "severity"),
    ("es_r31a_es8_ecs_plaintext_http_on_https_fleet_server_version_check_eof.log", "severity"),
    ("opensearch_r31a_graylog_datanode_transport_tls_certificate_unknown.log", "root"),
    ("opensearch_r31a_os2_operator_masters_cluster_manager_not_discovered_bootstrap_pod.log", "severity"),
    ("es_r31a_es82_transport_tls_client_did_not_trust_cert_recovery_node_not_connected.log", "found"),
    ("es_r31a_es82_transport_tls_client_did_not_trust_cert_recovery_node_not_connected.log", "root"),
    ("es_r31a_es82_transport_tls_client_did_not_trust_cert_recovery_node_not_connected.log", "severity"),
    ("agent_r31b_langfuse_python_sdk_400_invalid_request_data_not_retrying.log", "found"),
    ("agent_r31b_langfuse_python_sdk_400_invalid_request_data_not_retrying.log", "root"),
    ("agent_r31b_langfuse_python_sdk_400_invalid_request_data_not_retrying.log", "severity"),
    ("agent_r31b_dd_lambda_extension_logmessage_unmarshaljson_spans_object.log", "found"),
    ("agent_r31b_dd_lambda_extension_logmessage_unmarshaljson_spans_object.log", "root"),
    ("agent_r31b_dd_lambda_extension_logmessage_unmarshaljson_spans_object.log", "severity"),
    ("agent_r31b_filebeat89_openobserve_bulk_response_unknown_character.log", "found"),
    ("agent_r31b_filebeat89_openobserve_bulk_response_unknown_character.log", "root"),
    ("agent_r31b_filebeat89_openobserve_bulk_response_unknown_character.log", "severity"),
    ("es_r31b_quickwit09_ingest_v2_validate_json_doc_expected_string_got_int.log", "found"),
    ("es_r31b_quickwit09_ingest_v2_validate_json_doc_expected_string_got_int.log", "root"),
    ("es_r31b_quickwit09_ingest_v2_validate_json_doc_expected_string_got_int.log", "severity"),
    ("json_r31b_jaeger_ingester_null_value_record_panic_convertprocess.log", "found"),
    ("json_r31b_jaeger_ingester_null_value_record_panic_convertprocess.log", "root"),
    ("json_r31b_jaeger_ingester_null_value_record_panic_convertprocess.log", "severity"),
    ("json_r31b_node22_bodyparser_expected_double_quoted_property_name.log", "root"),
    ("json_r31b_openobserve_rust_ingest_serde_expected_value_line2.log", "found"),
    ("json_r31b_openobserve_rust_ingest_serde_expected_value_line2.log", "root"),
    ("json_r31b_openobserve_rust_ingest_serde_expected_value_line2.log", "severity"),
    ("json_r31b_skywalking_oap92_gson_unterminated_string_event_parameters_es_query.log", "root"),
    ("json_r31b_skywalking_oap92_gson_unterminated_string_event_parameters_es_query.log", "severity"),
    ("opensearch_r31b_rfs_bulk_response_unrecognized_token_too_many_requests.log", "root"),
    ("es_r31c_java_client9_rest5_epoll_einval_io_reactor_shut_down.log", "severity"),
    ("agent_r31c_otel_okhttp_export_timeout_connect_socket_closed.log", "severity"),
    ("agent_r31c_stroom_proxy_forward_read_timed_out_backlog.log", "root"),
    ("agent_r31c_stroom_proxy_forward_read_timed_out_backlog.log", "severity"),
    ("opensearch_r31c_photon_java_client_hc5_closed_by_peer_import_died.log", "severity"),
    ("agent_r31c_loki4j_jdk_httpclient_connect_timeout_batch_not_retried.log", "severity"),
    ("es_r31c_zipkin_armeria_empty_endpoint_group_aws_es_get_node.log", "found"),
    ("es_r31c_zipkin_armeria_empty_endpoint_group_aws_es_get_node.log", "root"),
    ("es_r31c_zipkin_armeria_empty_endpoint_group_aws_es_get_node.log", "severity"),
    ("es_r31c_zeebe_exporter_put_component_template_30s_socket_timeout_split_header.log", "found"),
    ("es_r31c_zeebe_exporter_put_component_template_30s_socket_timeout_split_header.log", "root"),
    ("es_r31c_zeebe_exporter_put_component_template_30s_socket_timeout_split_header.log", "severity"),
    ("es_r31c_spring_data_es_bulk_connection_closed_unexpectedly_after_oom_pipe_layout.log", "found"),
    ("es_r31c_spring_data_es_bulk_connection_closed_unexpectedly_after_oom_pipe_layout.log", "root"),
    ("es_r31c_spring_data_es_bulk_connection_closed_unexpectedly_after_oom_pipe_layout.log", "severity"),
    ("es_r31c_camunda_tasklist_importer_probe_timeout_connecting_es_http.log", "severity"),
    ("es_r31c_kitodo_bulk_index_httpasyncclient_connection_closed_long_run.log", "severity"),
    ("agent_r31c_sleuth_webclient_zipkin_spans_premature_close_on_error_dropped.log", "root"),
    // Round thirty-two (agents and shippers posting to intakes, JSON decoding in JVM intakes and Kafka consumers, Kafka
    // clients and brokers of 2021-2025, writers indexing into Elasticsearch and OpenSearch, pods failing to reach a
    // peer). Without a literal place: librdkafka's `Disconnected while requesting ApiVersion: might be caused by
    // incorrect security.protocol configuration`. Not read: one program's own sentences (New Relic's agent `IOException
    // ... while trying to send data to New Relic`, Logstash's Sumo Logic output `request rejected {:code=>502`, the
    // Datadog Lambda extension's `Failed to send logs to datadog after N ms and N attempts`, Druid's Avro
    // `ParseException`), a Spring Kafka listener error whose cause the paste cut off. Severity as labelled differs
    // where the file shows a few records of a retried kind (an exporter retrying, a dial or connect that timed out,
    // brokers down, a version conflict, a high watermark, a trace payload); root differs where the sender of a payload
    // an intake could not decode is named, where the writer's own configuration is (a gRPC exporter pointed at an HTTP
    // gateway, a client without TLS support), or where the peer is not known. The negative
    // `es_neg_r32d_ci_create_index_bad_template_info_trace.log` is Elasticsearch logging at INFO an index creation it
    // refused (a test's bad mapping): the mapper-parsing kind reads its exception whatever the level.
    ("agent_r32a_alloy_otlp_exporter_502_bad_gateway_html.log", "severity"),
    ("agent_r32a_alloy_otlp_grpc_to_http_gateway_zero_addresses_alpn.log", "root"),
    ("agent_r32a_newrelic_java_agent_eventbatch_connection_reset.log", "found"),
    ("agent_r32a_newrelic_java_agent_eventbatch_connection_reset.log", "root"),
    ("agent_r32a_newrelic_java_agent_eventbatch_connection_reset.log", "severity"),
    ("agent_r32a_adot_amp_remote_write_deadline_dropping.log", "root"),
    ("agent_r32a_logstash_output_sumologic_502_request_rejected.log", "found"),
    ("agent_r32a_logstash_output_sumologic_502_request_rejected.log", "root"),
    ("agent_r32a_logstash_output_sumologic_502_request_rejected.log", "severity"),
    ("agent_r32a_trace_agent_cannot_decode_v04_msgpack_native_java.log", "severity"),
    ("agent_r32a_dd_lambda_extension_logs_http2_goaway_via_proxy.log", "found"),
    ("agent_r32a_dd_lambda_extension_logs_http2_goaway_via_proxy.log", "root"),
    ("agent_r32a_dd_lambda_extension_logs_http2_goaway_via_proxy.log", "severity"),
    ("agent_r32a_vector049_aws_s3_sink_incomplete_message_not_retried.log", "root"),
    ("json_r32b_graylog5_gelf_udp_syslog_framed_nginx_json.log", "root"),
    ("json_r32b_dataprepper_http_source_unrecognized_token_inf.log", "root"),
    ("json_r32b_druid_kafka_supervisor_avro_invalid_record_task_fails.log", "found"),
    ("json_r32b_druid_kafka_supervisor_avro_invalid_record_task_fails.log", "root"),
    ("json_r32b_druid_kafka_supervisor_avro_invalid_record_task_fails.log", "severity"),
    ("json_r32b_kafka_connect_scylla_sink_jsonconverter_malformed_record.log", "root"),
    ("json_r32b_spring_mvc_wxjava_invalidformat_empty_string_to_object.log", "root"),
    ("json_r32b_spline_kafka_gateway_listener_error_unmapped_type_header.log", "found"),
    ("json_r32b_spline_kafka_gateway_listener_error_unmapped_type_header.log", "root"),
    ("json_r32b_spline_kafka_gateway_listener_error_unmapped_type_header.log", "severity"),
    ("kafka_r32c_clickhouse_kafka_engine_apiversion_ssl_mismatch.log", "found"),
    ("kafka_r32c_clickhouse_kafka_engine_apiversion_ssl_mismatch.log", "root"),
    ("kafka_r32c_clickhouse_kafka_engine_apiversion_ssl_mismatch.log", "severity"),
    ("kafka_r32c_fluentbit_no_ssl_support_brokers_down.log", "root"),
    ("kafka_r32c_fluentbit_no_ssl_support_brokers_down.log", "severity"),
    ("es_r32d_canal_adapter_es6_version_conflict_sync_commit.log", "severity"),
    ("es_neg_r32d_ci_create_index_bad_template_info_trace.log", "severity"),
    ("es_r32d_testcontainers_ci_high_watermark_single_node.log", "severity"),
    ("agent_r32e_promtail_push_context_deadline_exceeded.log", "root"),
    ("agent_r32e_promtail_push_context_deadline_exceeded.log", "severity"),
    ("agent_r32e_otelcol_gmp_exporter_unauthenticated.log", "root"),
    ("agent_r32e_otelcol_agent_to_gateway_deadline_exceeded.log", "severity"),
    ("agent_r32e_otelcol_daemonset_to_aggregator_unavailable_empty.log", "severity"),
    ("net_r32e_otelcol_target_allocator_x509_unknown_authority.log", "severity"),
    ("agent_r32e_otel_javaagent_grpc_tls_collector_eof.log", "severity"),
    // Round thirty-three (the Datadog agent's forwarder and other senders of intakes, JSON intakes on the JVM of
    // 2015-2024, Kafka's Java clients in JVM services, Elasticsearch bulk writers of every era). Without a literal
    // place: the zkclient of old brokers `zookeeper state changed (Expired)` (logged at INFO). Not read: protocols
    // other than JSON (Zipkin's Thrift, SkyWalking's protobuf buffer), one program's own sentences (VictoriaMetrics'
    // `cannot decode DataDog protocol data`, the Lambda extension's `No traces deserialized`, Bosun's OpenTSDB query,
    // SkyWalking 3's collector answer, the OpenSearch client's `Unable to parse response body`, New Relic's Elixir
    // harvest, Puppet's dogapi through JRuby). The forwarder's `Error code "400 ..." received` is read as a payload the
    // intake refused (json-deserialization), where the label says connection. Severity as labelled differs where the
    // file shows a few records of a retried kind (a broker unreachable, a flush or socket timeout, a refused dial, a
    // reset bulk, a 413); root differs where the sender of a field or the writer's configuration is named. The negative
    // `es_neg_r33d_kibana7_startup_no_living_connections_then_migrates.log` is Kibana without a living connection for
    // seven seconds at start-up: the rule reads no duration.
    ("agent_r33a_forwarder_400_unsupported_sketches_path.log", "found"),
    ("agent_r33a_forwarder_400_unsupported_sketches_path.log", "root"),
    ("agent_r33a_forwarder_400_unsupported_sketches_path.log", "severity"),
    ("json_r33a_vm_datadog_series_unsupported_encoding_identity.log", "found"),
    ("json_r33a_vm_datadog_series_unsupported_encoding_identity.log", "root"),
    ("json_r33a_vm_datadog_series_unsupported_encoding_identity.log", "severity"),
    ("json_r33a_lambda_ext_no_traces_deserialized.log", "found"),
    ("json_r33a_lambda_ext_no_traces_deserialized.log", "root"),
    ("json_r33a_lambda_ext_no_traces_deserialized.log", "severity"),
    ("agent_r33a_puppet_dogapi_tls_handshake_failure.log", "found"),
    ("agent_r33a_puppet_dogapi_tls_handshake_failure.log", "root"),
    ("agent_r33a_puppet_dogapi_tls_handshake_failure.log", "severity"),
    ("agent_r33a_puppet_dogapi_connection_refused.log", "found"),
    ("agent_r33a_puppet_dogapi_connection_refused.log", "root"),
    ("agent_r33a_puppet_dogapi_connection_refused.log", "severity"),
    ("agent_r33a_newrelic_elixir_harvest_413_payload_too_large.log", "found"),
    ("agent_r33a_newrelic_elixir_harvest_413_payload_too_large.log", "root"),
    ("agent_r33a_newrelic_elixir_harvest_413_payload_too_large.log", "severity"),
    ("agent_r33b_skywalking_3_1_agent_collector_500_for_input_string.log", "found"),
    ("agent_r33b_skywalking_3_1_agent_collector_500_for_input_string.log", "root"),
    ("agent_r33b_skywalking_3_1_agent_collector_500_for_input_string.log", "severity"),
    ("json_r33b_bosun_opentsdb_2_1_rejects_filters_query_json.log", "found"),
    ("json_r33b_bosun_opentsdb_2_1_rejects_filters_query_json.log", "root"),
    ("json_r33b_bosun_opentsdb_2_1_rejects_filters_query_json.log", "severity"),
    ("json_r33b_cerebro_play_jsresult_jvm_version_undefined.log", "root"),
    ("json_r33b_skywalking_oap_buffer_file_corrupt_protobuf_decode.log", "found"),
    ("json_r33b_skywalking_oap_buffer_file_corrupt_protobuf_decode.log", "root"),
    ("json_r33b_skywalking_oap_buffer_file_corrupt_protobuf_decode.log", "severity"),
    ("json_r33b_spark_jobserver_spray_413_content_length_limit.log", "root"),
    ("json_r33b_spark_jobserver_spray_413_content_length_limit.log", "severity"),
    ("json_r33b_tranquility_server_end_array_token_batch.log", "root"),
    ("json_r33b_zipkin_http_collector_rejects_py_zipkin_thrift.log", "found"),
    ("json_r33b_zipkin_http_collector_rejects_py_zipkin_thrift.log", "root"),
    ("json_r33b_zipkin_http_collector_rejects_py_zipkin_thrift.log", "severity"),
    ("json_r33b_zipkin_kafka_collector_cannot_read_span_tbinary.log", "found"),
    ("json_r33b_zipkin_kafka_collector_cannot_read_span_tbinary.log", "root"),
    ("json_r33b_zipkin_kafka_collector_cannot_read_span_tbinary.log", "severity"),
    ("kafka_r33c_debezium_connect_flush_timeout_redpanda.log", "severity"),
    ("kafka_r33c_spring_kafka_node_minus1_unreachable.log", "severity"),
    ("zk_r33c_metaq_broker_zkclient_session_expired.log", "found"),
    ("zk_r33c_metaq_broker_zkclient_session_expired.log", "root"),
    ("zk_r33c_metaq_broker_zkclient_session_expired.log", "severity"),
    ("kafka_r33c_console_consumer_autocommit_failed_rebalanced.log", "root"),
    ("kafka_r33c_console_consumer_autocommit_failed_rebalanced.log", "severity"),
    ("es_r33d_skywalking_oap_es7_socket_timeout.log", "severity"),
    ("net_r33d_go_mysql_es_bulk_connection_refused.log", "severity"),
    ("opensearch_r33d_lambda_bulk_unparseable_error_response.log", "found"),
    ("opensearch_r33d_lambda_bulk_unparseable_error_response.log", "root"),
    ("opensearch_r33d_lambda_bulk_unparseable_error_response.log", "severity"),
    ("es_r33d_logstash6_mapper_parsing_event_host_object.log", "root"),
    ("es_r33d_jdbc_importer_no_cluster_nodes_port_9200.log", "root"),
    ("es_neg_r33d_kibana7_startup_no_living_connections_then_migrates.log", "severity"),
    ("es_r33d_graylog2_bulk_connection_reset_oversized_batch.log", "severity"),
    // Round thirty-four. Severity by the pack's policy: single records and short runs of retried kinds (an intake or a
    // collector refusing, a DNS lookup, a socket or pool timeout, a TLS handshake, a leader not available, a consumer
    // dropped from its group) are warnings until they last; these cases call them errors. Fluent Bit's failed chunks to
    // Elasticsearch escalate after three records, and the healthy case's six cleared within a minute. Wordings without
    // a literal place: Sarama's `The provided member is not known in the current generation`, franz-go's `is SASL
    // missing?`, fluent-plugin-kafka's `parser error in`, Graylog 0.92's `Could not successfully connect to
    // Elasticsearch`, client-go's `Failed to list ...: EOF`; a broker's rebalance storm logged at INFO is not read.
    // Fluentd's 400 for invalid bytes is rooted at Elasticsearch's bulk failure, where the case blames the sender.
    ("agent_r34a_fluentbit010_out_http_tcp_connection_failed.log", "severity"),
    ("agent_r34a_fluentd_splunk_hec_getaddrinfo_needs_proxy.log", "severity"),
    ("agent_r34a_jaeger_client_httpsender_connect_timed_out.log", "severity"),
    ("agent_r34a_otelcol_otlphttp_localhost_9009_refused_no_separators.log", "severity"),
    ("agent_r34a_telegraf_influxdb_client_timeout_flush_interval.log", "severity"),
    ("kafka_r34b_ruby_kafka_unknown_member_rejoin_loop.log", "severity"),
    ("kafka_r34b_sarama_logrus_member_not_in_generation.log", "found"),
    ("kafka_r34b_sarama_logrus_member_not_in_generation.log", "root"),
    ("kafka_r34b_sarama_logrus_member_not_in_generation.log", "severity"),
    ("json_r34b_fluentd_in_kafka_group_parser_error.log", "found"),
    ("json_r34b_fluentd_in_kafka_group_parser_error.log", "root"),
    ("json_r34b_fluentd_in_kafka_group_parser_error.log", "severity"),
    ("kafka_r34b_librdkafka_go_self_signed_cert_brokers_down.log", "severity"),
    ("kafka_r34b_franz_go_119_is_sasl_missing_eof.log", "found"),
    ("kafka_r34b_franz_go_119_is_sasl_missing_eof.log", "root"),
    ("kafka_r34b_franz_go_119_is_sasl_missing_eof.log", "severity"),
    ("kafka_r34b_console_consumer_leader_not_available_dcache_zk.log", "severity"),
    ("kafka_r34b_rust_rdkafka_apiversion_timeout_tracing.log", "severity"),
    ("kafka_r34b_broker_group_coordinator_clickhouse_rebalance_storm.log", "found"),
    ("kafka_r34b_broker_group_coordinator_clickhouse_rebalance_storm.log", "root"),
    ("kafka_r34b_broker_group_coordinator_clickhouse_rebalance_storm.log", "severity"),
    ("es_neg_r34c_fluentbit_flush_retry_succeeds.log", "severity"),
    ("es_r34c_fluentd_400_rejected_invalid_bytes.log", "root"),
    ("es_r34c_graylog092_could_not_connect_es.log", "found"),
    ("es_r34c_graylog092_could_not_connect_es.log", "root"),
    ("es_r34c_graylog092_could_not_connect_es.log", "severity"),
    ("es_r34c_python_streaming_bulk_read_timeout.log", "severity"),
    ("net_r34d_spring_resttemplate_name_does_not_resolve.log", "severity"),
    ("net_r34d_argocd_server_lookup_server_misbehaving.log", "severity"),
    ("net_r34d_akka_remote_gated_connection_refused_quarantined.log", "severity"),
    ("net_r34d_scg_premature_close_before_response.log", "severity"),
    ("net_r34d_k8s_java_client_incluster_connect_timed_out.log", "severity"),
    ("net_r34d_kubelet_x509_unknown_authority.log", "severity"),
    ("net_r34d_bootkube_list_pods_eof.log", "found"),
    ("net_r34d_bootkube_list_pods_eof.log", "root"),
    ("net_r34d_bootkube_list_pods_eof.log", "severity"),
    ("net_r34d_geowebcache_s3_connection_pool_timeout.log", "severity"),
    ("net_r34d_fabric8_cxf_pkix_apiserver.log", "severity"),
    // Round thirty-five. Severity by the pack's policy: single records and short runs of retried kinds (a Python
    // client's read timeout or refused connect, a body parser's JSON error, kafkajs's seed broker, librdkafka's brokers
    // down, a Go dial refused or reset, a controller's unreachable brokers, a ZooKeeper client's lost connection before
    // the HBase master exits, an internal topic's replication, a Beat's 503) are warnings until they last; these cases
    // call them errors (the exit after the failure is not read). Roots: the legacy Node client's `getaddrinfo ENOTFOUND
    // http` (a URL the writer misparsed: the case blames its configuration), an opensearch-py read timeout on port 443
    // (no component named), kafka_exporter's DNS failure for Kafka's default name and an OpenTelemetry Collector's TLS
    // to a plaintext port (the cases blame the exporter's settings), Prometheus's remote write retrying a DNS failure
    // (read as an intake's retry). Not read: one program's own sentences or wordings without a literal place (Node
    // urllib's `JSONResponseFormatError`, no-kafka's `NoKafkaConnectionError`, the Serilog OpenSearch sink's `Maximum
    // timeout reached while retrying request`, a rake task's `Connection reset by peer, retrying`, log4net's and NLog's
    // Elasticsearch appenders, KSQL's skipped record, MirrorMaker 2's `Timeout while loading consumer groups`,
    // Alertmanager's notify 404, Go's `: EOF` after a URL, New Relic's agents, fabric8's 403).
    ("es_r35a_elasticutils_bulk_index_connectionerror_read_timeout_5.log", "severity"),
    ("es_r35a_node_reindex_legacy_client_getaddrinfo_enotfound_http_host.log", "root"),
    ("json_r35a_cnpm_urllib_json_response_format_error_nginx_502_html.log", "found"),
    ("json_r35a_cnpm_urllib_json_response_format_error_nginx_502_html.log", "root"),
    ("json_r35a_cnpm_urllib_json_response_format_error_nginx_502_html.log", "severity"),
    ("json_r35a_prerender_pm2_body_parser_unexpected_token_hash_position_0.log", "severity"),
    ("kafka_r35a_aiokafka_no_connection_to_node_advertised_localhost.log", "severity"),
    ("kafka_r35a_kafkajs_seed_broker_timeout_never_reconnects_dnsmasq.log", "severity"),
    ("kafka_r35a_no_kafka_metadata_request_failed_connection_timeout.log", "severity"),
    ("kafka_r35a_rdkafka_consumer_all_brokers_down_host_unreachable_cn.log", "severity"),
    ("opensearch_r35a_lambda_opensearchpy_bulk_connectiontimeout_read_timeout_10.log", "root"),
    ("opensearch_r35a_lambda_opensearchpy_bulk_connectiontimeout_read_timeout_10.log", "severity"),
    ("opensearch_r35b_serilog_opensearch_bulk_httpclient_timeout.log", "found"),
    ("opensearch_r35b_serilog_opensearch_bulk_httpclient_timeout.log", "root"),
    ("opensearch_r35b_serilog_opensearch_bulk_httpclient_timeout.log", "severity"),
    ("es_r35b_go_mysql_es_bulk_dial_refused_wrong_es_addr.log", "severity"),
    ("es_r35b_esbulk_go_bulk_write_connection_reset.log", "severity"),
    ("es_r35b_redmine_es_reindex_connection_reset_giving_up.log", "found"),
    ("es_r35b_redmine_es_reindex_connection_reset_giving_up.log", "root"),
    ("es_r35b_redmine_es_reindex_connection_reset_giving_up.log", "severity"),
    ("es_r35b_log4net_es_appender_406_not_acceptable.log", "found"),
    ("es_r35b_log4net_es_appender_406_not_acceptable.log", "root"),
    ("es_r35b_log4net_es_appender_406_not_acceptable.log", "severity"),
    ("es_r35b_nlog_es_target_internal_log_status_401.log", "found"),
    ("es_r35b_nlog_es_target_internal_log_status_401.log", "root"),
    ("es_r35b_nlog_es_target_internal_log_status_401.log", "severity"),
    ("kafka_r35c_controller_cannot_reach_brokers_rancher.log", "severity"),
    ("zk_r35c_hbase_master_exits_zk_refused.log", "severity"),
    ("json_r35c_ksql_skipping_malformed_json_record.log", "found"),
    ("json_r35c_ksql_skipping_malformed_json_record.log", "root"),
    ("json_r35c_ksql_skipping_malformed_json_record.log", "severity"),
    ("kafka_r35c_offsets_topic_rf3_single_broker_helm.log", "severity"),
    ("opensearch_r35c_filebeat_503_security_not_initialized.log", "severity"),
    ("kafka_r35c_mm2_checkpoint_timeout_loading_consumer_groups.log", "found"),
    ("kafka_r35c_mm2_checkpoint_timeout_loading_consumer_groups.log", "root"),
    ("kafka_r35c_mm2_checkpoint_timeout_loading_consumer_groups.log", "severity"),
    ("agent_r35d_alertmanager_webhook_site_404_unrecoverable.log", "found"),
    ("agent_r35d_alertmanager_webhook_site_404_unrecoverable.log", "root"),
    ("agent_r35d_alertmanager_webhook_site_404_unrecoverable.log", "severity"),
    ("kafka_r35d_kafka_exporter_sarama_default_broker_dns_misbehaving.log", "root"),
    ("net_r35d_es_exporter_http_to_https_port_eof.log", "found"),
    ("net_r35d_es_exporter_http_to_https_port_eof.log", "root"),
    ("net_r35d_es_exporter_http_to_https_port_eof.log", "severity"),
    ("agent_r35d_prometheus_remote_write_dns_no_such_host_endless_retry.log", "root"),
    ("agent_r35d_prometheus_remote_write_dns_no_such_host_endless_retry.log", "severity"),
    ("agent_r35d_newrelic_unix_monitor_insights_wrong_account_key.log", "found"),
    ("agent_r35d_newrelic_unix_monitor_insights_wrong_account_key.log", "root"),
    ("agent_r35d_newrelic_unix_monitor_insights_wrong_account_key.log", "severity"),
    ("agent_r35d_newrelic_ruby_agent_unknown_version_old_gem.log", "found"),
    ("agent_r35d_newrelic_ruby_agent_unknown_version_old_gem.log", "root"),
    ("agent_r35d_newrelic_ruby_agent_unknown_version_old_gem.log", "severity"),
    ("agent_r35d_otelcol_json_self_metrics_tls_to_plaintext_receiver.log", "root"),
    ("net_r35d_spring_ribbon_fabric8_endpoints_forbidden_rbac.log", "found"),
    ("net_r35d_spring_ribbon_fabric8_endpoints_forbidden_rbac.log", "root"),
    ("net_r35d_spring_ribbon_fabric8_endpoints_forbidden_rbac.log", "severity"),
    // Round thirty-six. Severity by the pack's policy: single records and short runs of retried kinds (kafka-python's
    // refused connect in an agent check, librdkafka's brokers down, a Spring admin client's unreachable broker, a
    // broker's lost ZooKeeper connection, SkyWalking's bulk timeout) are warnings until they last, and so is a Ruby
    // JSON error logged at warn; these cases call them errors. Healthy cases that get an error: a .NET consumer's
    // dead-lettered ping (Newtonsoft's error), Go JSON errors of tools outside a pipeline (Dozzle, CloudQuery),
    // Fluentd's first read timeout toward Elasticsearch. Roots: Go's and Ruby's JSON errors where the writer is unknown
    // (blamed on what answered, or on no one; the cases blame the agent's input), a schema-registry client's
    // JSONDecodeError, SkyWalking's bare SocketTimeoutException (its client is named by the line's logger alone, which
    // is not read: a line's own text may name any package). OpenTelemetry Python's `Transient error
    // StatusCode.UNAVAILABLE` is a retry (a warning until it lasts); fastjson's `cannot parse JSON` in a writer
    // stackscan does not know is at most a warning. Not read: wordings without a literal place (Python 2's `error:
    // [Errno 61] Connection refused`, jsoniter's `Value looks like Number/Boolean/None`, serde_json's `EOF while
    // parsing` under Vector's remap), one program's own sentences (ClickHouse's Kafka engine, Quickwit's doc mapper,
    // laravel-kafka's consume error, Zipkin's template refused by Elasticsearch 7).
    ("agent_neg_r36b_dozzle_json_unmarshal_error_streaming_minor_annoyance.log", "severity"),
    ("agent_r36a_kafka_consumer_check_broker_refused.log", "severity"),
    ("agent_r36a_otel_gitlab_exporter_unavailable_max_backoff.log", "severity"),
    ("agent_r36a_otel_python_grpc_exporter_stuck_unavailable.log", "severity"),
    ("agent_r36b_elixir_logger_exporter_loki_400_unmarshaler_decoder.log", "found"),
    ("agent_r36b_elixir_logger_exporter_loki_400_unmarshaler_decoder.log", "root"),
    ("agent_r36b_elixir_logger_exporter_loki_400_unmarshaler_decoder.log", "severity"),
    ("agent_r36b_rtlamr_collect_logrus_info_input_not_json_format_flag.log", "root"),
    ("agent_r36b_telegraf_mqtt_consumer_json_wildcard_status_topic_online.log", "root"),
    ("agent_r36b_vector_remap_parse_json_eof_multiline_crowdstrike.log", "found"),
    ("agent_r36b_vector_remap_parse_json_eof_multiline_crowdstrike.log", "root"),
    ("agent_r36b_vector_remap_parse_json_eof_multiline_crowdstrike.log", "severity"),
    ("es_neg_r36c_fluentd_es_read_timeout_first_retry.log", "severity"),
    ("es_r36c_skywalking6_oap_bulk_socket_timeout.log", "root"),
    ("es_r36c_skywalking6_oap_bulk_socket_timeout.log", "severity"),
    ("es_r36c_zipkin2129_es7_update_template_400.log", "found"),
    ("es_r36c_zipkin2129_es7_update_template_400.log", "root"),
    ("es_r36c_zipkin2129_es7_update_template_400.log", "severity"),
    ("json_neg_r36b_cloudquery_cli_plugin_stdout_not_json_motherduck_sso_prompt.log", "severity"),
    ("json_neg_r36b_wolverine_kafka_raw_json_internal_ping_moved_to_error_queue.log", "severity"),
    ("json_r36b_clickhouse_kafka_engine_jsoneachrow_cannot_parse_input.log", "found"),
    ("json_r36b_clickhouse_kafka_engine_jsoneachrow_cannot_parse_input.log", "root"),
    ("json_r36b_clickhouse_kafka_engine_jsoneachrow_cannot_parse_input.log", "severity"),
    ("json_r36b_fluentd_cloudwatch_input_klog_not_json_thread_exited.log", "root"),
    ("json_r36b_fluentd_cloudwatch_input_klog_not_json_thread_exited.log", "severity"),
    ("json_r36b_nginx_log_collector_fastjson_escape_json_prefix.log", "severity"),
    ("json_r36b_php_laravel_kafka_monolog_tombstone_null_payload_syntax_error.log", "found"),
    ("json_r36b_php_laravel_kafka_monolog_tombstone_null_payload_syntax_error.log", "root"),
    ("json_r36b_php_laravel_kafka_monolog_tombstone_null_payload_syntax_error.log", "severity"),
    ("json_r36b_quickwit_doc_processor_doc_mapper_missing_timestamp.log", "found"),
    ("json_r36b_quickwit_doc_processor_doc_mapper_missing_timestamp.log", "root"),
    ("json_r36b_quickwit_doc_processor_doc_mapper_missing_timestamp.log", "severity"),
    ("kafka_r36a_schema_registry_client_jsondecodeerror.log", "root"),
    ("kafka_r36a_snuba_group_coordinator_loopback_refused.log", "severity"),
    ("kafka_r36d_kafka_python_modwsgi_localhost_refused.log", "found"),
    ("kafka_r36d_kafka_python_modwsgi_localhost_refused.log", "root"),
    ("kafka_r36d_kafka_python_modwsgi_localhost_refused.log", "severity"),
    ("kafka_r36d_librdkafka_example_advertised_new_host_refused.log", "severity"),
    ("kafka_r36d_springboot_adminclient_advertised_localhost.log", "severity"),
    ("zk_r36d_strimzi_broker_zk_sidecar_reset.log", "severity"),
    // Round thirty-seven. Severity by the pack's policy: single records and short runs of retried kinds (kafka_ex's and
    // aiokafka's refused or closed connections, ruby-kafka's seed brokers none of which answered, which it tries again
    // at its next call, Beats' EOF toward Elasticsearch) are warnings until they last; these cases call them errors. Fluentd's read timeout toward Elasticsearch (retried, the data arrived) is an error by
    // Elasticsearch unreachable. Roots: a document Elasticsearch cannot parse is blamed on Elasticsearch's mapping
    // (es.mapper-parsing), here the writer sent bytes that are not JSON; Go's JSON error of a bulk answer from a proxy
    // in front of Elasticsearch is blamed on the receiver (json.go-syntax: what answered); body-parser's error names no
    // sender. Not read: a wording without a literal place (Telegraf's `Elasticsearch indexing failure`), an HTML 413
    // page from a proxy in front of Elasticsearch (its title alone names neither the writer nor the request). Go's
    // `connect: cannot assign requested address` in a writer stackscan does not know is at most a warning.
    ("es_r37a_fluentd_faraday_read_timeout.log", "severity"),
    ("es_r37a_py_transporterror_mapper_parsing.log", "root"),
    ("es_r37b_esm_bulk_nginx_413.log", "found"),
    ("es_r37b_esm_bulk_nginx_413.log", "root"),
    ("es_r37b_esm_bulk_nginx_413.log", "severity"),
    ("es_r37b_gomysqles_bulk_cannot_assign_address.log", "severity"),
    ("es_r37b_gomysqles_bulk_nginx_504_html.log", "root"),
    ("es_r37b_metricbeat_agent_backoff_eof.log", "severity"),
    ("es_r37b_telegraf_indexing_failure_norms_mapper.log", "found"),
    ("es_r37b_telegraf_indexing_failure_norms_mapper.log", "root"),
    ("es_r37b_telegraf_indexing_failure_norms_mapper.log", "severity"),
    ("json_r37a_body_parser_unexpected_token_gateway.log", "root"),
    ("kafka_r37a_faust_aiokafka_reconnect_loop_broker_down.log", "severity"),
    ("kafka_r37a_ruby_kafka_logger_eoferror_delivery_failed.log", "severity"),
    ("kafka_r37a_ruby_kafka_seed_brokers_ipv6_refused.log", "severity"),
    ("kafka_r37a_kafka_ex_econnrefused_container_hostname.log", "severity"),
    // Round thirty-eight. Not read: brod's producer crash (`{:reached_max_retries, :no_leader_connection}` under a
    // GenServer's exit) and the OpenTelemetry Rust SDK's global error handler (`OpenTelemetry trace error occurred.`),
    // both without a literal place; log4stash's `Got error while reading response from ElasticSearch` over a .NET
    // `(406) Not Acceptable`. Severity by the pack's policy: brod's, librdkafka's and ZooKeeper's retried connections
    // are warnings until they last (these cases call them errors, from what the threads say came later); Fluent Bit's
    // bulk requests without an HTTP answer for seven minutes are a warning until they last ten. Root:
    // fluent-plugin-opensearch failing to resolve a node name its sniffer learnt is blamed on Elasticsearch
    // (k2es.es-unreachable); the fix was the writer's setting.
    ("kafka_r38a_brod_no_leader_connection_elixir.log", "found"),
    ("kafka_r38a_brod_no_leader_connection_elixir.log", "root"),
    ("kafka_r38a_brod_no_leader_connection_elixir.log", "severity"),
    ("kafka_r38a_brod_idle_tcp_closed_reinit_fails.log", "severity"),
    ("agent_r38a_otel_rust_otlp_broken_pipe_jaeger159.log", "found"),
    ("agent_r38a_otel_rust_otlp_broken_pipe_jaeger159.log", "root"),
    ("agent_r38a_otel_rust_otlp_broken_pipe_jaeger159.log", "severity"),
    ("kafka_r38a_rsyslog_omkafka_brokers_down_never_reconnects.log", "severity"),
    ("es_r38a_log4stash_es6_406_not_acceptable.log", "found"),
    ("es_r38a_log4stash_es6_406_not_acceptable.log", "root"),
    ("es_r38a_log4stash_es6_406_not_acceptable.log", "severity"),
    ("zk_r38b_cp_kafka_zk_headless_session_closed_loop.log", "severity"),
    ("opensearch_r38b_fluentd_sniffed_node_name_resolverror.log", "root"),
    ("es_r38b_fluentbit_daemonset_eck_service_broken_pipe.log", "severity"),
    // Round thirty-nine. Not read: Falcosidekick's `Elasticsearch - header missing (400)` (its own words for a 400),
    // Metricbeat's Kafka module logging `error in connect: EOF` at INFO, es-hadoop's `Cannot determine write shards for
    // [...]` (an index/type resource Elasticsearch 7 no longer takes). Severity by the pack's policy: aiokafka's,
    // librdkafka's and the Jaeger agent's retried connections, elasticsearch-py's and the legacy Node.js client's
    // timeouts, a KafkaJS leader election, a Beat's output check answered 400, opensearch-js's `socket hang up` are
    // warnings until they last (the threads call them errors from what came later). Root: an olivere/elastic mapping
    // 400 is blamed on Elasticsearch (es.mapper-parsing), the case on the writer's document.
    ("opensearch_r39a_falcosidekick_header_missing_400.log", "found"),
    ("opensearch_r39a_falcosidekick_header_missing_400.log", "root"),
    ("opensearch_r39a_falcosidekick_header_missing_400.log", "severity"),
    ("kafka_r39a_aiokafka_consumer_node_refused_plain_format.log", "severity"),
    ("kafka_r39a_aiokafka_producer_nodenotready_faust_format.log", "severity"),
    ("es_r39a_plaso_espy_bulk_read_timeout_300.log", "severity"),
    ("agent_r39a_metricbeat_kafka_module_connect_eof_at_info.log", "found"),
    ("agent_r39a_metricbeat_kafka_module_connect_eof_at_info.log", "root"),
    ("agent_r39a_metricbeat_kafka_module_connect_eof_at_info.log", "severity"),
    ("es_r39a_go_mysql_transfer_olivere_mapping_400.log", "root"),
    ("agent_r39a_jaeger_agent_grpc_collector_refused_zap_info.log", "severity"),
    ("kafka_r39b_kafkajs_no_leader_leadership_election_nonretriable.log", "severity"),
    ("es_r39b_heartbeat8_alias_check_400_reserved_data_stream.log", "severity"),
    ("es_r39b_legacy_esjs_compose_bulk_request_timeout_408.log", "severity"),
    ("opensearch_r39b_opensearch_js_socket_hang_up_http_vs_security.log", "severity"),
    ("kafka_r39b_node_rdkafka_broker_transport_failure_on_connect.log", "severity"),
    ("es_r39b_jaeger_spark_dependencies_cannot_determine_write_shards.log", "found"),
    ("es_r39b_jaeger_spark_dependencies_cannot_determine_write_shards.log", "root"),
    ("es_r39b_jaeger_spark_dependencies_cannot_determine_write_shards.log", "severity"),
];

/// Issue 14's targets over the positive cases: found, root cause, severity.
const TARGETS: (f64, f64, f64) = (0.90, 0.85, 0.90);

/// Whether the totals must meet [`TARGETS`] (set once the pack reaches them, so the test then guards them).
const ASSERT_TARGETS: bool = true;

fn rank(sev: &str) -> i32 {
    match sev {
        "info" => 0,
        "warning" => 1,
        "error" => 2,
        "critical" => 3,
        _ => -1,
    }
}

fn strs(v: &Value) -> Vec<&str> {
    v.as_array().map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default()
}

/// The expected incident: accepted family, worst severity, most records, first in report order.
fn pick<'a>(incidents: &'a [Value], families: &[&str]) -> Option<&'a Value> {
    incidents
        .iter()
        .enumerate()
        .filter(|(_, i)| families.contains(&i["family"].as_str().unwrap_or("")))
        .max_by_key(|(pos, i)| {
            (rank(i["severity"].as_str().unwrap_or("")), i["count"].as_u64().unwrap_or(0), std::cmp::Reverse(*pos))
        })
        .map(|(_, i)| i)
}

/// The corpus, and whether it is the development half (where [`KNOWN_MISSES`] applies case by case).
fn corpus() -> (PathBuf, bool) {
    match std::env::var_os("STACKSCAN_REAL_CORPUS") {
        Some(p) => (PathBuf::from(p), false),
        None => (root().join("../shared/corpus/real"), true),
    }
}

#[test]
fn real_cases() {
    let (dir, development) = corpus();
    if !dir.join("cases.json").is_file() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set and the real-log corpus is absent: {}/cases.json",
            dir.display()
        );
        eprintln!("NOTICE: real_cases skipped: {}/cases.json is absent", dir.display());
        return;
    }
    judge(&dir, development.then_some(KNOWN_MISSES), ASSERT_TARGETS || !development);
}

/// The project's own real lines (`fixtures/real`, collected from other public threads than the shared corpus's,
/// see its README), judged case by case like the development half: a regression guard that needs no corpus
/// outside the checkout.
#[test]
fn real_cases_in_the_project() {
    judge(&root().join("fixtures/real"), Some(PROJECT_KNOWN_MISSES), false);
}

/// Scans and judges every case of `dir`'s cases.json. With `known`, every aspect of every case must hold except
/// those listed (and a listed one that holds fails too); with `targets`, the totals must meet [`TARGETS`].
fn judge(dir: &std::path::Path, known: Option<&[(&str, &str)]>, targets: bool) {
    let by_case = known.is_some();
    let known = known.unwrap_or_default();
    let cases: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("cases.json")).unwrap()).unwrap();
    let mut failures = Vec::new();
    let (mut positives, mut found_n, mut root_n, mut sev_n) = (0usize, 0usize, 0usize, 0usize);
    let mut negatives_bad = Vec::new();
    let mut table = String::new();
    for case in cases["cases"].as_array().unwrap() {
        let file = case["file"].as_str().unwrap();
        let (report, _) = scan_json_code([dir.join(file)], 0);
        let incidents = report["incidents"].as_array().unwrap();
        let mut aspects: Vec<(&str, bool)> = Vec::new();
        if case["kind"] == "negative" {
            let bad: Vec<&Value> =
                incidents.iter().filter(|i| rank(i["severity"].as_str().unwrap_or("")) >= 2).collect();
            if !bad.is_empty() {
                negatives_bad.push(file);
            }
            aspects.push(("severity", bad.is_empty()));
        } else {
            positives += 1;
            let mut families = vec![case["family"].as_str().unwrap()];
            families.extend(strs(&case["family_ok"]));
            let mut roots = vec![case["root_cause"].as_str().unwrap()];
            roots.extend(strs(&case["root_cause_ok"]));
            let inc = pick(incidents, &families);
            let found = inc.is_some();
            let root = inc.is_some_and(|i| roots.contains(&i["root_cause"]["component"].as_str().unwrap_or("")));
            let errorish = inc.is_some_and(|i| rank(i["severity"].as_str().unwrap_or("")) >= 2);
            let sev = found && errorish == case["expect_error"].as_bool().unwrap_or(false);
            found_n += found as usize;
            root_n += root as usize;
            sev_n += sev as usize;
            aspects.extend([("found", found), ("root", root), ("severity", sev)]);
        }
        let row: Vec<String> = aspects.iter().map(|(a, ok)| format!("{a} {}", if *ok { "ok" } else { "--" })).collect();
        table.push_str(&format!("  {file:<42} {}\n", row.join(", ")));
        for (aspect, ok) in aspects.into_iter().filter(|_| by_case) {
            let known = known.contains(&(file, aspect));
            match (ok, known) {
                (false, false) => {
                    let got: Vec<String> = incidents
                        .iter()
                        .map(|i| {
                            format!(
                                "{} {} {}@{}",
                                i["family"], i["severity"], i["root_cause"]["rule"], i["root_cause"]["component"]
                            )
                        })
                        .collect();
                    failures.push(format!("{file}: {aspect} does not hold; incidents: {got:?}"));
                }
                (true, true) => failures.push(format!("{file}: {aspect} holds now: remove it from KNOWN_MISSES")),
                _ => {}
            }
        }
    }
    let pct = |n: usize| n as f64 / positives.max(1) as f64;
    eprintln!(
        "real cases: found {found_n}/{positives}, root cause {root_n}/{positives}, severity {sev_n}/{positives}\n{table}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let met =
        pct(found_n) >= TARGETS.0 && pct(root_n) >= TARGETS.1 && pct(sev_n) >= TARGETS.2 && negatives_bad.is_empty();
    assert!(
        met || !targets,
        "below issue 14's targets: found {found_n}, root cause {root_n}, severity {sev_n} of {positives}; \
         negatives with an error/critical incident: {negatives_bad:?}"
    );
    if !met && targets {
        eprintln!("NOTICE: issue 14's targets are not met yet");
    }
}
