export * from './anvil';
export * from './free-port';
export * from './wait-for';
export * from './infrastructure';
