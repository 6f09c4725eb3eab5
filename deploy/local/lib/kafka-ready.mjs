#!/usr/bin/env node
// Exit 0 once the Kafka broker(s) answer a metadata request, 1 on timeout or when the watched process
// dies. An open port is not enough: a KRaft broker accepts connections before it can serve metadata.
//
// usage: node kafka-ready.mjs <brokers> [timeoutMs] [pidToWatch]
import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;

const [brokers = '127.0.0.1:9092', timeoutArg = '60000', watchedPid] = process.argv.slice(2);
const deadline = Date.now() + Number(timeoutArg);

function watchedProcessAlive() {
  if (!watchedPid) return true;
  try {
    process.kill(Number(watchedPid), 0);
    return true;
  } catch {
    return false;
  }
}

async function metadataAnswers() {
  const kafka = new Kafka({
    clientId: 'kafka-ready',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 3000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    await admin.listTopics();
    return cluster.brokers.length > 0 && cluster.controller !== null;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function main() {
  for (;;) {
    if (await metadataAnswers()) return 0;
    if (!watchedProcessAlive()) {
      console.error(`kafka-ready: process ${watchedPid} exited before ${brokers} answered`);
      return 1;
    }
    if (Date.now() > deadline) {
      console.error(`kafka-ready: ${brokers} did not answer a metadata request within ${timeoutArg} ms`);
      return 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

process.exit(await main());
