// The browser half of the HTML paywall page (docs/protocol.md 8.5), shipped inline in the 402 page so the
// gateway serves everything itself: no bundler, no CDN. It is plain ES2020 in a String.raw literal because
// the build (tsc) copies no assets; paywall-client-script.spec.ts runs this exact text in Node to test its
// pure helpers, and the browser e2e test runs it against a real gateway. No backticks or dollar-brace
// sequences may appear inside (they would end or interpolate the literal).

/** The paywall page's script: defines `MicroraidenPaywall` and, in a browser, starts it on the page. */
export const PAYWALL_CLIENT_SCRIPT = String.raw`
'use strict';
var MicroraidenPaywall = (function () {
  var UINT256_MAX = (1n << 256n) - 1n;
  // Function selectors and the event topic: keccak256 of the signatures (checked against ethers in the spec).
  var SELECTORS = {
    approve: '095ea7b3', // approve(address,uint256)
    createChannel: 'bb510a77', // createChannel(address,uint256)
    getChannel: '831c2b82', // getChannel(bytes32)
    balanceOf: '70a08231', // balanceOf(address)
  };
  var CHANNEL_CREATED_TOPIC = '0x3cf54df8dd65d7b69b52ec038c0dc985dceef340be85a8c7339d5c82b9fd1b9e';
  var ADDRESS = /^0x[0-9a-fA-F]{40}$/;
  var BYTES32 = /^0x[0-9a-fA-F]{64}$/;
  var AMOUNT = /^(0|[1-9][0-9]{0,77})$/;

  function wordOfUint(value) {
    if (typeof value !== 'bigint' || value < 0n || value > UINT256_MAX) throw new Error('not a uint256');
    return value.toString(16).padStart(64, '0');
  }
  function wordOfAddress(address) {
    if (!ADDRESS.test(address)) throw new Error('not an address: ' + address);
    return address.slice(2).toLowerCase().padStart(64, '0');
  }
  function wordOfBytes32(value) {
    if (!BYTES32.test(value)) throw new Error('not a bytes32');
    return value.slice(2).toLowerCase();
  }
  function call(selector, words) {
    return '0x' + selector + words.join('');
  }

  /** Calldata of ERC-20 approve(spender, amount). */
  function encodeApprove(spender, amount) {
    return call(SELECTORS.approve, [wordOfAddress(spender), wordOfUint(amount)]);
  }
  /** Calldata of createChannel(receiver, deposit). */
  function encodeCreateChannel(receiver, deposit) {
    return call(SELECTORS.createChannel, [wordOfAddress(receiver), wordOfUint(deposit)]);
  }
  /** Calldata of getChannel(channelId). */
  function encodeGetChannel(channelId) {
    return call(SELECTORS.getChannel, [wordOfBytes32(channelId)]);
  }
  /** Calldata of ERC-20 balanceOf(owner). */
  function encodeBalanceOf(owner) {
    return call(SELECTORS.balanceOf, [wordOfAddress(owner)]);
  }
  /** The 32-byte words of ABI-encoded return data, as BigInt. */
  function decodeWords(data) {
    if (typeof data !== 'string' || !/^0x([0-9a-fA-F]{64})*$/.test(data)) throw new Error('bad return data');
    var words = [];
    for (var i = 2; i < data.length; i += 64) words.push(BigInt('0x' + data.slice(i, i + 64)));
    return words;
  }
  /** getChannel's return data as { sender, receiver, deposit, settleAt } (addresses lowercase). */
  function decodeChannel(data) {
    var w = decodeWords(data);
    if (w.length < 6) throw new Error('bad getChannel return data');
    var addr = function (x) { return '0x' + x.toString(16).padStart(40, '0'); };
    return { sender: addr(w[0]), receiver: addr(w[1]), deposit: w[2], settleAt: w[5] };
  }
  /** A canonical base-10 amount (docs/protocol.md 2) as BigInt; throws on anything else. */
  function parseAmount(text) {
    var trimmed = String(text).trim();
    if (!AMOUNT.test(trimmed)) throw new Error('not a whole number of token base units');
    var value = BigInt(trimmed);
    if (value > UINT256_MAX) throw new Error('amount too large');
    return value;
  }
  /** The eth_signTypedData_v4 JSON of BalanceProof(channelId, receiver, balance) under the challenge's domain. */
  function balanceProofTypedData(challenge, channelId, balance) {
    wordOfBytes32(channelId);
    wordOfAddress(challenge.receiver);
    wordOfUint(balance);
    return JSON.stringify({
      types: {
        EIP712Domain: [
          { name: 'name', type: 'string' },
          { name: 'version', type: 'string' },
          { name: 'chainId', type: 'uint256' },
          { name: 'verifyingContract', type: 'address' },
        ],
        BalanceProof: [
          { name: 'channelId', type: 'bytes32' },
          { name: 'receiver', type: 'address' },
          { name: 'balance', type: 'uint256' },
        ],
      },
      primaryType: 'BalanceProof',
      domain: {
        name: 'MicroTransferChannels',
        version: '1',
        chainId: Number(challenge.chainId),
        verifyingContract: challenge.channelManager,
      },
      message: { channelId: channelId.toLowerCase(), receiver: challenge.receiver, balance: balance.toString() },
    });
  }
  /** The RDN-* payment headers (docs/protocol.md 5.2), echoes included. */
  function paymentHeaders(challenge, sender, channelId, balance, signature) {
    return {
      'RDN-Sender-Address': sender,
      'RDN-Channel-Id': channelId.toLowerCase(),
      'RDN-Balance': balance.toString(),
      'RDN-Balance-Signature': signature,
      'RDN-Receiver-Address': challenge.receiver,
      'RDN-Contract-Address': challenge.channelManager,
      'RDN-Chain-Id': challenge.chainId.toString(),
    };
  }
  /** The receipt headers of a response, or undefined when absent or malformed. */
  function readReceipt(headers) {
    var channelId = headers.get('RDN-Channel-Id');
    var balance = headers.get('RDN-Sender-Balance');
    var cost = headers.get('RDN-Cost');
    if (channelId === null || balance === null || cost === null) return undefined;
    if (!AMOUNT.test(balance.trim()) || !AMOUNT.test(cost.trim())) return undefined;
    return { channelId: channelId.trim().toLowerCase(), balance: BigInt(balance.trim()), cost: BigInt(cost.trim()) };
  }
  /** Where a channel of this sender to this receiver, contract and chain is remembered. */
  function storageKey(challenge, sender) {
    return ['microraiden', challenge.chainId.toString(), challenge.channelManager, challenge.receiver, sender]
      .join(':')
      .toLowerCase();
  }
  /** The challenge the page carries in data-* attributes. */
  function readChallenge(element) {
    var d = element.dataset;
    return {
      price: parseAmount(d.price),
      chainId: parseAmount(d.chainId),
      token: d.token,
      receiver: d.receiver,
      channelManager: d.channelManager,
      gatewayPath: d.gatewayPath,
    };
  }
  function sleep(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  // ---- the page ----

  function start(doc, win) {
    var root = doc.getElementById('microraiden-wallet');
    if (!root) return;
    var $ = function (id) { return doc.getElementById(id); };
    var challenge = readChallenge(root);
    var state = { sender: undefined, channel: undefined, busy: false };
    var provider = win.ethereum;
    root.hidden = false;

    function status(text, isError) {
      var el = $('mr-status');
      el.textContent = text;
      el.className = isError ? 'mr-error' : '';
    }
    function show(id, visible) {
      $(id).hidden = !visible;
    }
    function remember() {
      try {
        win.localStorage.setItem(
          storageKey(challenge, state.sender),
          JSON.stringify({ channelId: state.channel.id, balance: state.channel.balance.toString() }),
        );
      } catch (e) { /* storage may be disabled; the gateway re-syncs the balance */ }
    }
    function forget() {
      try { win.localStorage.removeItem(storageKey(challenge, state.sender)); } catch (e) { /* see remember */ }
      state.channel = undefined;
    }
    function renderChannel() {
      var c = state.channel;
      show('mr-channel', c !== undefined);
      show('mr-pay', c !== undefined);
      if (c === undefined) return;
      $('mr-channel-id').textContent = c.id;
      $('mr-balance').textContent = c.balance.toString();
      $('mr-deposit-total').textContent = c.deposit === undefined ? 'unknown' : c.deposit.toString();
    }
    function rpc(method, params) {
      return provider.request({ method: method, params: params || [] });
    }
    async function guard(action) {
      if (state.busy) return;
      state.busy = true;
      root.setAttribute('aria-busy', 'true');
      try {
        await action();
      } catch (e) {
        status(e && e.message ? e.message : String(e), true);
      } finally {
        state.busy = false;
        root.removeAttribute('aria-busy');
      }
    }

    async function readChannel(channelId) {
      var data = await rpc('eth_call', [{ to: challenge.channelManager, data: encodeGetChannel(channelId) }, 'latest']);
      return decodeChannel(data);
    }
    function usable(onChain) {
      return (
        onChain.sender === state.sender.toLowerCase() &&
        onChain.receiver === challenge.receiver.toLowerCase() &&
        onChain.settleAt === 0n &&
        onChain.deposit >= challenge.price
      );
    }
    async function findChannel() {
      var stored;
      try { stored = JSON.parse(win.localStorage.getItem(storageKey(challenge, state.sender)) || 'null'); } catch (e) { stored = null; }
      if (stored && BYTES32.test(stored.channelId)) {
        var known = await readChannel(stored.channelId);
        if (usable(known)) return { id: stored.channelId.toLowerCase(), balance: parseAmount(stored.balance), deposit: known.deposit };
      }
      // Not remembered here (another browser, cleared storage): look for the sender's channels on chain. The
      // balance is unknown, so start at 0 and adopt the gateway's on BALANCE_STALE.
      var logs;
      try {
        logs = await rpc('eth_getLogs', [{
          address: challenge.channelManager,
          fromBlock: 'earliest',
          toBlock: 'latest',
          topics: [CHANNEL_CREATED_TOPIC, null, '0x' + wordOfAddress(state.sender), '0x' + wordOfAddress(challenge.receiver)],
        }]);
      } catch (e) {
        return undefined; // providers may refuse wide log ranges; opening a channel still works
      }
      for (var i = logs.length - 1; i >= 0; i--) {
        var id = logs[i].topics[1];
        var onChain = await readChannel(id);
        if (usable(onChain)) return { id: id.toLowerCase(), balance: 0n, deposit: onChain.deposit };
      }
      return undefined;
    }

    async function connect() {
      if (!provider || typeof provider.request !== 'function') {
        status('No Ethereum wallet found in this browser (window.ethereum). Install one, or pay with the RDN-* headers described above.', true);
        return;
      }
      var accounts = await rpc('eth_requestAccounts');
      if (!accounts || !ADDRESS.test(accounts[0])) throw new Error('The wallet returned no account.');
      var chainId = BigInt(await rpc('eth_chainId'));
      if (chainId !== challenge.chainId) {
        status('Wrong network: the wallet is on chain ' + chainId.toString() + ' but this paywall takes payments on chain ' +
          challenge.chainId.toString() + '. Switch the wallet to chain ' + challenge.chainId.toString() + ' and connect again.', true);
        return;
      }
      state.sender = accounts[0];
      $('mr-sender').textContent = state.sender;
      show('mr-connect', false);
      show('mr-connected', true);
      show('mr-open-form', true);
      status('Looking for a channel to the receiver...');
      state.channel = await findChannel();
      renderChannel();
      status(state.channel
        ? 'Channel found. Pay ' + challenge.price.toString() + ' to view the resource.'
        : 'No open channel to this receiver yet: open one with a deposit.');
    }

    async function transact(to, data, label) {
      status(label + ': confirm the transaction in your wallet...');
      var hash = await rpc('eth_sendTransaction', [{ from: state.sender, to: to, data: data }]);
      status(label + ': waiting for transaction ' + hash + ' to be mined...');
      for (var i = 0; i < 600; i++) {
        var receipt = await rpc('eth_getTransactionReceipt', [hash]);
        if (receipt) {
          if (BigInt(receipt.status) !== 1n) throw new Error(label + ' failed on chain (transaction ' + hash + ').');
          return receipt;
        }
        await sleep(1000);
      }
      throw new Error(label + ': transaction ' + hash + ' was not mined in 10 minutes.');
    }

    async function openChannel() {
      var deposit = parseAmount($('mr-deposit').value);
      if (deposit < challenge.price) throw new Error('The deposit must be at least the price (' + challenge.price.toString() + ').');
      var held = decodeWords(await rpc('eth_call', [{ to: challenge.token, data: encodeBalanceOf(state.sender) }, 'latest']))[0];
      if (held < deposit) throw new Error('The account holds only ' + held.toString() + ' token base units, less than the deposit.');
      await transact(challenge.token, encodeApprove(challenge.channelManager, deposit), 'Approve');
      var receipt = await transact(challenge.channelManager, encodeCreateChannel(challenge.receiver, deposit), 'Open channel');
      var log = receipt.logs.find(function (l) {
        return l.address.toLowerCase() === challenge.channelManager.toLowerCase() && l.topics[0] === CHANNEL_CREATED_TOPIC;
      });
      if (!log) throw new Error('The transaction created no channel.');
      state.channel = { id: log.topics[1].toLowerCase(), balance: 0n, deposit: deposit };
      remember();
      renderChannel();
      await pay();
    }

    async function sign(balance) {
      status('Sign the payment of ' + balance.toString() + ' (cumulative) in your wallet...');
      return rpc('eth_signTypedData_v4', [state.sender, balanceProofTypedData(challenge, state.channel.id, balance)]);
    }

    async function pay() {
      var channel = state.channel;
      var balance = channel.balance + challenge.price;
      var signature = await sign(balance);
      var resynced = false;
      for (var attempt = 0; attempt < 120; attempt++) {
        var res = await win.fetch(win.location.href, {
          headers: Object.assign(
            { Accept: 'application/json, text/html;q=0.9, */*;q=0.8' },
            paymentHeaders(challenge, state.sender, channel.id, balance, signature),
          ),
          cache: 'no-store',
        });
        var code = res.headers.get('RDN-Error');
        var receipt = readReceipt(res.headers);
        if (code === null && res.status < 500) {
          if (receipt && receipt.channelId === channel.id) channel.balance = receipt.balance;
          remember();
          renderChannel();
          await showContent(res);
          // Only 2xx/3xx answers are charged (protocol section 7): a 4xx comes with RDN-Cost 0.
          status(receipt && receipt.cost === 0n
            ? 'Not charged: the resource answered ' + res.status + '; the channel balance stays ' + channel.balance.toString() + '.'
            : 'Paid ' + (receipt ? receipt.cost.toString() : '?') + '; the channel balance is now ' + channel.balance.toString() + '.');
          show('mr-pay', true);
          $('mr-pay').textContent = 'Pay again (' + challenge.price.toString() + ') and reload';
          return;
        }
        if (code === 'CHANNEL_NOT_FOUND' || code === 'CHANNEL_INSUFFICIENT_CONFIRMATIONS') {
          // A channel just opened: the gateway accepts it only after enough confirmations.
          var wait = Math.min(Math.max(Number(res.headers.get('Retry-After')) || 1, 1), 15);
          status('Waiting for the gateway to accept the new channel (' + code + ', retrying in ' + wait + ' s)...');
          await sleep(wait * 1000);
          continue;
        }
        if ((code === 'BALANCE_STALE' || code === 'INCREMENT_BELOW_PRICE') && receipt && !resynced) {
          // The gateway knows a higher balance (paid elsewhere, storage lost): adopt it and re-sign once.
          resynced = true;
          var price = res.headers.get('RDN-Price');
          if (price !== null && AMOUNT.test(price.trim())) challenge.price = BigInt(price.trim());
          channel.balance = receipt.balance;
          remember();
          renderChannel();
          balance = channel.balance + challenge.price;
          signature = await sign(balance);
          continue;
        }
        if (code === 'CHANNEL_CLOSING' || code === 'BALANCE_EXCEEDS_DEPOSIT') {
          forget();
          renderChannel();
          throw new Error((code === 'CHANNEL_CLOSING' ? 'The channel is closing' : 'The channel deposit is used up') +
            ': open a new channel.');
        }
        throw new Error('The gateway refused the payment: ' + (code || res.status) + ' ' + (await errorMessage(res)));
      }
      throw new Error('The gateway did not accept the channel in time; try again later.');
    }

    async function errorMessage(res) {
      try {
        var body = await res.json();
        return body && body.error && typeof body.error.message === 'string' ? body.error.message : '';
      } catch (e) {
        return '';
      }
    }

    async function showContent(res) {
      var box = $('mr-content');
      box.replaceChildren();
      var type = (res.headers.get('Content-Type') || '').toLowerCase();
      var text = await res.text();
      if (type.indexOf('text/html') === 0) {
        // The paid page runs in a sandbox without scripts or this origin's rights.
        var frame = doc.createElement('iframe');
        frame.setAttribute('sandbox', '');
        frame.title = 'Paid content';
        frame.srcdoc = text;
        box.appendChild(frame);
        return;
      }
      var pre = doc.createElement('pre');
      if (type.indexOf('json') !== -1) {
        try { text = JSON.stringify(JSON.parse(text), null, 2); } catch (e) { /* show it as sent */ }
      }
      pre.textContent = text;
      box.appendChild(pre);
    }

    $('mr-connect').addEventListener('click', function () { guard(connect); });
    $('mr-open').addEventListener('click', function () { guard(openChannel); });
    $('mr-pay').addEventListener('click', function () { guard(pay); });
    status(provider ? 'Connect a wallet to pay in this browser.' : 'No Ethereum wallet found in this browser (window.ethereum).', !provider);
  }

  return {
    SELECTORS: SELECTORS,
    CHANNEL_CREATED_TOPIC: CHANNEL_CREATED_TOPIC,
    encodeApprove: encodeApprove,
    encodeCreateChannel: encodeCreateChannel,
    encodeGetChannel: encodeGetChannel,
    encodeBalanceOf: encodeBalanceOf,
    decodeWords: decodeWords,
    decodeChannel: decodeChannel,
    parseAmount: parseAmount,
    balanceProofTypedData: balanceProofTypedData,
    paymentHeaders: paymentHeaders,
    readReceipt: readReceipt,
    storageKey: storageKey,
    readChallenge: readChallenge,
    start: start,
  };
})();
if (typeof document !== 'undefined' && typeof window !== 'undefined') MicroraidenPaywall.start(document, window);
`;
