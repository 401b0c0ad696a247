package org.s3graph.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.io.ByteUnit;

/**
 * Runs an embedded Neo4j Community server for s3graph.
 *
 * <p>Bolt listens on 127.0.0.1 only. Authentication is always on and the password of user
 * {@code neo4j} is set from the environment variable {@code S3GRAPH_NEO4J_PASSWORD} at every start,
 * so the store never keeps the default password. SIGTERM shuts the database down cleanly.
 *
 * <p>Options: {@code --data DIR --port N --pagecache SIZE --tx-timeout SECONDS}.
 */
public final class Launcher {

    private Launcher() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = parse(args);
        String password = System.getenv("S3GRAPH_NEO4J_PASSWORD");
        if (password == null || password.length() < 8) {
            System.err.println("S3GRAPH_NEO4J_PASSWORD must be set to a password of at least 8 characters");
            System.exit(2);
        }
        Path data = Path.of(options.getOrDefault("data", "neo4j-data")).toAbsolutePath();
        Files.createDirectories(data);
        int port = Integer.parseInt(options.getOrDefault("port", "7687"));
        String pageCache = options.getOrDefault("pagecache", "256m");
        long txTimeout = Long.parseLong(options.getOrDefault("tx-timeout", "120"));

        DatabaseManagementService service = new DatabaseManagementServiceBuilder(data)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.parse(pageCache))
                .setConfig(GraphDatabaseSettings.transaction_timeout, Duration.ofSeconds(txTimeout))
                .build();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("s3graph-neo4j: shutting down");
            service.shutdown();
            stopped.countDown();
        }));

        GraphDatabaseService system = service.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
        Map<String, Object> params = new HashMap<>();
        params.put("password", password);
        try {
            system.executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED", params);
        } catch (RuntimeException e) {
            // Neo4j refuses to "change" a password to the one already set; anything else is fatal.
            if (!String.valueOf(e.getMessage()).contains("cannot be the same")) {
                service.shutdown();
                throw e;
            }
        }

        System.out.println("s3graph-neo4j: ready on bolt://127.0.0.1:" + port + " data=" + data);
        System.out.flush();
        stopped.await();
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument: " + args[i]);
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        return options;
    }
}
