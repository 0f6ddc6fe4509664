import { createContext, useContext } from 'react';
import type { Rules } from './types';

/**
 * The product rules' configured figures (GET /v1/rules), loaded once per session and cached offline by the service
 * worker. Undefined until they arrive: texts that need a figure then say the rule without it, never a copied number.
 */
export const RulesContext = createContext<Rules | undefined>(undefined);
export const useRules = (): Rules | undefined => useContext(RulesContext);
